"""The migration commands: every command of ``flask db`` (Flask-Migrate 4) as a :class:`Command`.

Options, defaults and help texts are those of ``flask_migrate.cli``; each command calls the
function of the same name in Flask-Migrate's Python API (see :mod:`._engine`). Added here:
``--lock-timeout`` on the commands that write the version table online (``upgrade``,
``downgrade``, ``stamp``) and ``--yes`` on ``downgrade``.

This module imports only the core (no Flask-Migrate, Alembic or SQLAlchemy): it is loaded to build
the parser of ``manage.py migrate ...``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from flask_script_hub import Command, InvalidCommand, Option, prompt_bool

if TYPE_CHECKING:
    from flask import Flask

    from flask_script_hub import Manager

__all__ = [
    "Branches",
    "Check",
    "Current",
    "Downgrade",
    "Edit",
    "Heads",
    "History",
    "Init",
    "LegacyDowngrade",
    "ListTemplates",
    "Merge",
    "Migrate",
    "Revision",
    "Show",
    "Stamp",
    "Upgrade",
    "make_manager",
]


def _directory() -> Option:
    return Option(
        "-d",
        "--directory",
        default=None,
        help='Migration script directory (default is "migrations")',
    )


def _sql() -> Option:
    return Option(
        "--sql",
        action="store_true",
        help="Don't emit SQL to database - dump to standard output instead",
    )


def _tag() -> Option:
    return Option(
        "--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts'
    )


def _x_arg() -> Option:
    return Option(
        "-x",
        "--x-arg",
        dest="x_arg",
        action="append",
        default=None,
        help="Additional arguments consumed by custom env.py scripts (repeatable)",
    )


def _revision_options() -> list[Option]:
    """Options shared by ``revision`` and ``migrate`` (after ``-m`` and ``--sql``)."""
    return [
        Option(
            "--head",
            default="head",
            help="Specify head revision or <branchname>@head to base new revision on",
        ),
        Option(
            "--splice",
            action="store_true",
            help='Allow a non-head revision as the "head" to splice onto',
        ),
        Option(
            "--branch-label",
            dest="branch_label",
            default=None,
            help="Specify a branch label to apply to the new revision",
        ),
        Option(
            "--version-path",
            dest="version_path",
            default=None,
            help="Specify specific path from config for version file",
        ),
        Option(
            "--rev-id",
            dest="rev_id",
            default=None,
            help="Specify a hardcoded revision id instead of generating one",
        ),
    ]


def _lock_timeout() -> Option:
    return Option(
        "--lock-timeout",
        dest="lock_timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=(
            "Wait at most this long for another migration of the same database to finish "
            "(PostgreSQL advisory lock, MariaDB/MySQL GET_LOCK); default: wait without limit"
        ),
    )


class _MigrateCommand(Command):
    """Base of the migration commands: call a Flask-Migrate function in the app context."""

    def __call__(self, app: Flask | None = None, *args: Any, **kwargs: Any) -> Any:
        # options given before the command name (``manage.py migrate -d DIR upgrade``) apply
        # unless the command got its own, as with ``flask db -d DIR upgrade``
        if app is not None:
            given = app.extensions.get(OPTIONS_KEY, {})
            for name in ("directory", "x_arg"):
                if name in kwargs and not kwargs[name]:
                    kwargs[name] = given.get(name)
        return super().__call__(app, *args, **kwargs)

    def _call(self, name: str, **kwargs: Any) -> None:
        from . import _engine

        _engine.call(name, **kwargs)


class ListTemplates(_MigrateCommand):
    """List available templates."""

    def run(self) -> None:
        from . import _engine

        _engine.list_templates()


class Init(_MigrateCommand):
    """Creates a new migration repository."""

    option_list = (
        _directory(),
        Option("--multidb", action="store_true", help="Support multiple databases"),
        Option(
            "-t",
            "--template",
            default=None,
            help='Repository template to use (default is "flask")',
        ),
        Option(
            "--package",
            action="store_true",
            help="Write empty __init__.py files to the environment and version locations",
        ),
    )

    def run(
        self, directory: str | None, multidb: bool, template: str | None, package: bool
    ) -> None:
        self._call("init", directory=directory, multidb=multidb, template=template, package=package)


class Revision(_MigrateCommand):
    """Create a new revision file."""

    option_list = (
        _directory(),
        Option("-m", "--message", default=None, help="Revision message"),
        Option(
            "--autogenerate",
            action="store_true",
            help=(
                "Populate revision script with candidate migration operations, based on "
                "comparison of database to model"
            ),
        ),
        _sql(),
        *_revision_options(),
    )

    def run(self, directory: str | None, message: str | None, autogenerate: bool, sql: bool,
            head: str, splice: bool, branch_label: str | None, version_path: str | None,
            rev_id: str | None) -> None:  # fmt: skip
        self._call(
            "revision",
            directory=directory,
            message=message,
            autogenerate=autogenerate,
            sql=sql,
            head=head,
            splice=splice,
            branch_label=branch_label,
            version_path=version_path,
            rev_id=rev_id,
        )


class Migrate(_MigrateCommand):
    """Autogenerate a new revision file (Alias for 'revision --autogenerate')."""

    option_list = (
        _directory(),
        Option("-m", "--message", default=None, help="Revision message"),
        _sql(),
        *_revision_options(),
        _x_arg(),
    )

    def run(self, directory: str | None, message: str | None, sql: bool, head: str,
            splice: bool, branch_label: str | None, version_path: str | None,
            rev_id: str | None, x_arg: list[str] | None) -> None:  # fmt: skip
        self._call(
            "migrate",
            directory=directory,
            message=message,
            sql=sql,
            head=head,
            splice=splice,
            branch_label=branch_label,
            version_path=version_path,
            rev_id=rev_id,
            x_arg=x_arg,
        )


class Edit(_MigrateCommand):
    """Edit a revision file (opens it in $EDITOR)."""

    option_list = (_directory(), Option("revision", nargs="?", default="head"))

    def run(self, directory: str | None, revision: str) -> None:
        self._call("edit", directory=directory, revision=revision)


class Merge(_MigrateCommand):
    """Merge two revisions together, creating a new revision file."""

    option_list = (
        _directory(),
        Option("-m", "--message", default=None, help="Merge revision message"),
        Option(
            "--branch-label",
            dest="branch_label",
            default=None,
            help="Specify a branch label to apply to the new revision",
        ),
        Option(
            "--rev-id",
            dest="rev_id",
            default=None,
            help="Specify a hardcoded revision id instead of generating one",
        ),
        Option("revisions", nargs="*"),
    )

    def run(self, directory: str | None, message: str | None, branch_label: str | None,
            rev_id: str | None, revisions: list[str]) -> None:  # fmt: skip
        self._call(
            "merge",
            directory=directory,
            revisions=tuple(revisions),
            message=message,
            branch_label=branch_label,
            rev_id=rev_id,
        )


class Upgrade(_MigrateCommand):
    """Upgrade to a later version.

    On PostgreSQL and SQLite the whole upgrade runs in one transaction (Alembic's default for
    transactional DDL): if a revision fails, the database is left as it was before the command
    (Migrate(app, db, transaction_per_migration=True) keeps the revisions before the failing
    one instead). MariaDB/MySQL commit every DDL statement, so there a failing revision can leave
    part of its changes behind.

    Concurrent upgrades of one database (several app replicas starting together) are serialised
    with a database lock (PostgreSQL advisory lock, MariaDB/MySQL GET_LOCK): the second waits,
    then finds nothing to do. --sql prints the SQL and never connects to the database.
    """

    option_list = (
        _directory(),
        _sql(),
        _tag(),
        _x_arg(),
        _lock_timeout(),
        Option("revision", nargs="?", default="head", help='Target revision (default "head")'),
    )

    def run(self, directory: str | None, sql: bool, tag: str | None, x_arg: list[str] | None,
            lock_timeout: float | None, revision: str) -> None:  # fmt: skip
        from . import _engine

        _engine.apply(
            "upgrade",
            directory=directory,
            revision=revision,
            sql=sql,
            tag=tag,
            x_arg=x_arg,
            lock_timeout=lock_timeout,
        )


class Downgrade(_MigrateCommand):
    """Revert to a previous version.

    Asks for confirmation (default No) unless --yes is given, and refuses when stdin is not a
    terminal and --yes is missing. --sql prints the SQL and never connects (no question).
    Transactions and locking as for upgrade.
    """

    #: Ask before downgrading (the ``migrate`` namespace). ``MigrateCommand``, the drop-in for
    #: Flask-Migrate 2's, uses :class:`LegacyDowngrade`, which does not ask.
    confirm: bool = True

    option_list = (
        _directory(),
        _sql(),
        _tag(),
        _x_arg(),
        _lock_timeout(),
        Option("-y", "--yes", action="store_true", help="Do not ask for confirmation"),
        Option("revision", nargs="?", default="-1", help='Target revision (default "-1")'),
    )

    def run(self, directory: str | None, sql: bool, tag: str | None, x_arg: list[str] | None,
            lock_timeout: float | None, yes: bool, revision: str) -> None:  # fmt: skip
        from . import _engine

        if self.confirm and not sql and not yes:
            where = _engine.database_label()
            if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
                raise InvalidCommand(
                    f"Refusing to downgrade {where} to {revision!r} without --yes "
                    "(stdin is not a terminal)."
                )
            if not prompt_bool(
                f"Downgrade {where} to revision {revision!r}? Data in dropped tables and "
                "columns is lost",
                default=False,
            ):
                raise InvalidCommand("Downgrade cancelled; nothing was changed.")
        _engine.apply(
            "downgrade",
            directory=directory,
            revision=revision,
            sql=sql,
            tag=tag,
            x_arg=x_arg,
            lock_timeout=lock_timeout,
        )


class LegacyDowngrade(Downgrade):
    """Revert to a previous version.

    As Flask-Migrate 2's ``MigrateCommand``: no confirmation, also without a terminal, so that
    deploy and CI scripts that ran ``manage.py db downgrade`` keep working (--yes is accepted and
    changes nothing). The ``migrate`` namespace's downgrade asks first. Transactions and locking
    as for upgrade.
    """

    confirm = False


class Show(_MigrateCommand):
    """Show the revision denoted by the given symbol."""

    option_list = (_directory(), Option("revision", nargs="?", default="head"))

    def run(self, directory: str | None, revision: str) -> None:
        self._call("show", directory=directory, revision=revision)


class History(_MigrateCommand):
    """List changeset scripts in chronological order."""

    option_list = (
        _directory(),
        Option(
            "-r",
            "--rev-range",
            dest="rev_range",
            default=None,
            help="Specify a revision range; format is [start]:[end]",
        ),
        Option("-v", "--verbose", action="store_true", help="Use more verbose output"),
        Option(
            "-i",
            "--indicate-current",
            dest="indicate_current",
            action="store_true",
            help="Indicate current version (Alembic 0.9.9 or greater is required)",
        ),
    )

    def run(self, directory: str | None, rev_range: str | None, verbose: bool,
            indicate_current: bool) -> None:  # fmt: skip
        self._call(
            "history",
            directory=directory,
            rev_range=rev_range,
            verbose=verbose,
            indicate_current=indicate_current,
        )


class Heads(_MigrateCommand):
    """Show current available heads in the script directory."""

    option_list = (
        _directory(),
        Option("-v", "--verbose", action="store_true", help="Use more verbose output"),
        Option(
            "--resolve-dependencies",
            dest="resolve_dependencies",
            action="store_true",
            help="Treat dependency versions as down revisions",
        ),
    )

    def run(self, directory: str | None, verbose: bool, resolve_dependencies: bool) -> None:
        self._call(
            "heads",
            directory=directory,
            verbose=verbose,
            resolve_dependencies=resolve_dependencies,
        )


class Branches(_MigrateCommand):
    """Show current branch points."""

    option_list = (
        _directory(),
        Option("-v", "--verbose", action="store_true", help="Use more verbose output"),
    )

    def run(self, directory: str | None, verbose: bool) -> None:
        self._call("branches", directory=directory, verbose=verbose)


class Current(_MigrateCommand):
    """Display the current revision for each database."""

    option_list = (
        _directory(),
        Option("-v", "--verbose", action="store_true", help="Use more verbose output"),
    )

    def run(self, directory: str | None, verbose: bool) -> None:
        self._call("current", directory=directory, verbose=verbose)


class Stamp(_MigrateCommand):
    """'stamp' the revision table with the given revision; don't run any migrations."""

    option_list = (
        _directory(),
        _sql(),
        _tag(),
        Option(
            "--purge",
            action="store_true",
            help="Delete the version in the alembic_version table before stamping",
        ),
        _lock_timeout(),
        Option("revision", nargs="?", default="head"),
    )

    def run(self, directory: str | None, sql: bool, tag: str | None, purge: bool,
            lock_timeout: float | None, revision: str) -> None:  # fmt: skip
        from . import _engine

        _engine.apply(
            "stamp",
            directory=directory,
            revision=revision,
            sql=sql,
            tag=tag,
            purge=purge,
            lock_timeout=lock_timeout,
        )


class Check(_MigrateCommand):
    """Check if there are any new operations to migrate."""

    option_list = (_directory(),)

    def run(self, directory: str | None) -> None:
        self._call("check", directory=directory)


COMMANDS: dict[str, type[Command]] = {
    "init": Init,
    "revision": Revision,
    "migrate": Migrate,
    "edit": Edit,
    "merge": Merge,
    "upgrade": Upgrade,
    "downgrade": Downgrade,
    "show": Show,
    "history": History,
    "heads": Heads,
    "branches": Branches,
    "current": Current,
    "stamp": Stamp,
    "check": Check,
    "list-templates": ListTemplates,
}


#: Key of ``app.extensions`` holding the options given before the command name.
OPTIONS_KEY = "flask_script_hub_migrate"


def remember_namespace_options(
    app: Flask, directory: str | None = None, x_arg: list[str] | None = None
) -> None:
    """Sub-manager app function: keep ``-d``/``-x`` given before the command for the command.

    As the options of Flask-Migrate's ``flask db`` group (``flask db -d DIR upgrade``); an option
    given to the command itself wins, as there.
    """
    app.extensions[OPTIONS_KEY] = {"directory": directory, "x_arg": x_arg}


def make_manager(*, legacy: bool = False) -> Manager:
    """Return a new sub-manager with every command of :data:`COMMANDS` (see the package doc).

    :param legacy: build Flask-Migrate 2's ``MigrateCommand``: ``usage="Perform database
        migrations"`` (its usage line) and :class:`LegacyDowngrade` (no confirmation).
    """
    from flask_script_hub import Manager

    manager = Manager(
        remember_namespace_options,
        usage="Perform database migrations" if legacy else None,
        help="Perform database migrations (Alembic, through Flask-Migrate).",
        description="Perform database migrations: the commands of `flask db` (Flask-Migrate).",
    )
    manager.add_option(
        "-d",
        "--directory",
        default=None,
        help='Migration script directory (default is "migrations")',
    )
    manager.add_option(
        "-x",
        "--x-arg",
        dest="x_arg",
        action="append",
        default=None,
        help="Additional arguments consumed by custom env.py scripts (repeatable)",
    )
    for name, command_class in COMMANDS.items():
        if legacy and command_class is Downgrade:
            command_class = LegacyDowngrade
        manager.add_command(name, command_class())
    return manager
