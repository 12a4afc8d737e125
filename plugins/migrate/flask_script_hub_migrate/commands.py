"""The migration commands: Flask-Migrate's own ``flask db`` click group, plus our safety.

The commands, their arguments, options and help come from ``flask_migrate.cli.db`` at run time
(whatever Flask-Migrate version is installed): nothing is restated here. Added on top:

* ``--lock-timeout SECONDS`` on ``upgrade``, ``downgrade`` and ``stamp`` (the database lock of
  :mod:`.locking`), and ``-y/--yes`` on ``downgrade`` (the confirmation);
* one transaction per ``upgrade``/``downgrade``/``stamp`` and one-line errors (:mod:`._engine`):
  each command calls the Flask-Migrate function of the same name with the parsed arguments;
* completion of revision ids (and ``head``, ``heads``, ``base``) for the ``revision`` arguments.

The group is mounted in a manager through the core's click bridge
(:class:`flask_script_hub.flask_cli.ClickCommand`), so ``manage.py migrate upgrade -?`` shows
Flask-Migrate's help under the full command path. Importing this module imports click, not
Flask-Migrate, Alembic or SQLAlchemy: the commands are built when the group is first used.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import click

from flask_script_hub import InvalidCommand, prompt_bool

from . import _engine
from ._compat import set_group_options

__all__ = ["LockTimeout", "MigrateGroup", "make_group"]

#: Commands that write the version table online: they take the lock and ``--lock-timeout``.
LOCKED = ("upgrade", "downgrade", "stamp")
#: The longest wait ``--lock-timeout`` accepts, in seconds: PostgreSQL's ``lock_timeout`` is an
#: ``int`` of milliseconds (at most 2147483647).
MAX_LOCK_TIMEOUT = 2147483.0
_META_KEY = "flask_script_hub_migrate"


class LockTimeout(click.types.FloatParamType):
    """Seconds to wait for the migration lock: a finite number from 0 to :data:`MAX_LOCK_TIMEOUT`.

    ``nan``, ``inf``, negative and larger values are usage errors (exit status 2).
    """

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = float(super().convert(value, param, ctx))
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_LOCK_TIMEOUT:
            self.fail(
                f"{value!r} is not a number of seconds from 0 to {MAX_LOCK_TIMEOUT:.0f}", param, ctx
            )
        return seconds


def _extra_params(name: str, legacy: bool) -> list[click.Parameter]:
    params: list[click.Parameter] = []
    if name in LOCKED:
        params.append(
            click.Option(
                ["--lock-timeout"],
                type=LockTimeout(),
                default=None,
                metavar="SECONDS",
                help=(
                    "Wait at most this long for another migration of the same database to "
                    "finish (PostgreSQL advisory lock, MariaDB/MySQL GET_LOCK); default: wait "
                    "without limit."
                ),
            )
        )
    if name == "downgrade":
        params.append(
            click.Option(
                ["-y", "--yes"],
                is_flag=True,
                help="Do not ask for confirmation."
                + (" (Accepted and ignored: this downgrade does not ask.)" if legacy else ""),
            )
        )
    return params


def _complete_revisions(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Revision ids of the app's migration scripts, and ``head``/``heads``/``base``."""
    from flask.cli import ScriptInfo

    names = ["head", "heads", "base"]
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
        with app.app_context():
            directory = ctx.params.get("directory") or ctx.meta.get(_META_KEY, {}).get("directory")
            names += _engine.revision_ids(app, directory)
    except Exception:  # no app, no migrations: complete the symbolic names only
        pass
    return [click.shell_completion.CompletionItem(n) for n in names if n.startswith(incomplete)]


def _copy_param(param: click.Parameter) -> click.Parameter:
    """Flask-Migrate's parameter as it is; a ``revision`` argument also completes revision ids."""
    if isinstance(param, click.Argument) and param.name in ("revision", "revisions"):
        return click.Argument(
            [param.name],
            nargs=param.nargs,
            default=param.default,
            required=param.required,
            shell_complete=_complete_revisions,
        )
    return param


def _run(name: str, legacy: bool, **kwargs: Any) -> None:
    """The callback of every command: Flask-Migrate's function ``name`` with our safety."""
    from flask.cli import ScriptInfo

    ctx = click.get_current_context()
    given = ctx.meta.get(_META_KEY, {})
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        # the group's options (``migrate -d DIR upgrade``), as Flask-Migrate's group keeps them
        set_group_options(given.get("directory"), given.get("x_arg") or ())
        if "directory" in kwargs and not kwargs["directory"]:
            kwargs["directory"] = given.get("directory")
        if "x_arg" in kwargs:
            kwargs["x_arg"] = list(kwargs["x_arg"]) or None
        if name not in LOCKED:
            _engine.call(app, name.replace("-", "_"), **kwargs)
            return
        lock_timeout = kwargs.pop("lock_timeout", None)
        yes = kwargs.pop("yes", False)
        if name == "downgrade" and not legacy and not kwargs.get("sql") and not yes:
            _confirm_downgrade(_engine.database_label(app), kwargs["revision"])
        _engine.apply(app, name, lock_timeout=lock_timeout, **kwargs)


def _confirm_downgrade(where: str, revision: str) -> None:
    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
        raise InvalidCommand(
            f"Refusing to downgrade {where} to {revision!r} without --yes "
            "(stdin is not a terminal)."
        )
    if not prompt_bool(
        f"Downgrade {where} to revision {revision!r}? Data in dropped tables and columns is lost",
        default=False,
    ):
        raise InvalidCommand("Downgrade cancelled; nothing was changed.")


def _group_callback(directory: str | None = None, x_arg: tuple[str, ...] = ()) -> None:
    click.get_current_context().meta[_META_KEY] = {"directory": directory, "x_arg": x_arg}


class MigrateGroup(click.Group):
    """Flask-Migrate's ``db`` group, built from ``flask_migrate.cli.db`` on first use.

    The group's options (``-d``, ``-x``) and each command's parameters and help are
    Flask-Migrate's; see the module doc for what is added. Creating the group imports nothing.

    :param legacy: behave as Flask-Migrate 2's ``MigrateCommand``: ``downgrade`` does not ask
        (deploy scripts run it without a terminal); ``--yes`` is accepted.
    """

    def __init__(self, name: str | None = None, *, legacy: bool = False) -> None:
        super().__init__(
            name=name,
            help="Perform database migrations: the commands of `flask db` (Flask-Migrate).",
            short_help="Perform database migrations (Alembic, through Flask-Migrate).",
            callback=_group_callback,
        )
        self.legacy = legacy
        self._built = False

    def _build(self) -> None:
        if self._built:
            return
        from flask_migrate.cli import db as flask_db

        self.params = list(flask_db.params)
        for command in flask_db.commands.values():
            name = command.name or ""
            self.add_command(
                click.Command(
                    name,
                    params=[
                        *map(_copy_param, command.params),
                        *_extra_params(name, self.legacy),
                    ],
                    help=command.help,
                    short_help=command.short_help,
                    epilog=command.epilog,
                    callback=lambda _name=name, **kwargs: _run(_name, self.legacy, **kwargs),
                )
            )
        self._built = True

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        self._build()
        return super().get_params(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._build()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._build()
        return super().get_command(ctx, cmd_name)


def make_group(name: str | None = "migrate", *, legacy: bool = False) -> MigrateGroup:
    """Return a new :class:`MigrateGroup` (see there)."""
    return MigrateGroup(name, legacy=legacy)
