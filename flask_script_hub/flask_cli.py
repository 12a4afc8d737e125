"""Working with Flask's click CLI, in both directions.

* :class:`ClickCommand` mounts a click command or group in a :class:`~flask_script_hub.Manager`:
  ``manager.add_command("routes", flask.cli.routes_command)`` (``add_command`` wraps click commands
  itself; the ``flask.commands`` entry points of installed extensions are mounted with it too).
  The command gets a :class:`flask.cli.ScriptInfo` that loads the manager's app, once, so
  ``@with_appcontext`` commands work as under ``flask``; help and errors name the full command
  path (``manage.py fdb upgrade``) and the manager's help options (``-?``) work.
* :func:`namespace_group` makes a plugin namespace reachable as ``flask <namespace> ...``: a lazy
  click group, cheap to load, published in the ``flask.commands`` entry-point group.
* :func:`manager_command` turns a manager into a click command for ``app.cli.add_command`` or the
  ``flask.commands`` entry-point group: ``flask manage db create`` runs ``manage.py db create``
  with the app that ``flask`` loaded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .commands import Command
from .context import current_app_loader

if TYPE_CHECKING:
    import click

    from .manager import Manager

__all__ = ["ClickCommand", "is_click_command", "manager_command", "namespace_group"]


def is_click_command(obj: object) -> bool:
    """Whether ``obj`` is a :class:`click.Command` (without importing click if nothing did)."""
    click = sys.modules.get("click")
    return click is not None and isinstance(obj, click.Command)


class ClickCommand(Command):
    """A click command or group run as a manager command; its arguments are parsed by click.

    :param command: the :class:`click.Command` (or :class:`click.Group`).
    """

    capture_all_args = True
    needs_app = False  # click commands load it through ScriptInfo, if and when they need it

    def __init__(self, command: click.Command) -> None:
        super().__init__()
        self.command = command
        self.name = command.name
        self._prog = command.name or "command"
        self._help_names: list[str] = ["-?", "--help"]

    def create_parser(
        self, prog: str, help_args: Sequence[str] = ("-?", "--help")
    ) -> argparse.ArgumentParser:
        """An empty parser (click parses the arguments); remembers the command path and the help
        option strings the manager uses, which click is given too.

        :param prog: the full command path (``"manage.py fdb"``).
        :param help_args: the manager's help option strings (``("-?", "--help")``).
        """
        self._prog = prog
        self._help_names = list(help_args)
        return argparse.ArgumentParser(prog=prog, add_help=False)

    @property
    def help(self) -> str:
        """The click command's short help."""
        return self.command.get_short_help_str(limit=80)

    @property
    def description(self) -> str:
        return self.command.help or ""

    def __call__(self, app: Any = None, *args: Any, **kwargs: Any) -> Any:
        import click
        from flask.cli import ScriptInfo

        arguments: list[str] = list(args[0]) if args else []
        info = ScriptInfo(create_app=current_app_loader(), set_debug_flag=False)
        extra: dict[str, Any] = {"help_option_names": self._help_names}
        if not arguments and hasattr(self.command, "list_commands"):
            # a bare group prints its help and succeeds, as a bare sub-manager does (click 8.2+
            # would exit 2)
            with self.command.make_context(
                self._prog, [], obj=info, resilient_parsing=True, **extra
            ) as ctx:
                print(ctx.get_help())
            return 0
        try:  # click's standalone handling, but Ctrl-C ends as in other commands (status 130)
            result = self.command.main(
                args=arguments, prog_name=self._prog, obj=info, standalone_mode=False, **extra
            )
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        except click.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                raise KeyboardInterrupt from exc
            print("Aborted!", file=sys.stderr)
            return 1
        # ``--help`` and ``ctx.exit(code)`` return the exit code
        return result if isinstance(result, int) and not isinstance(result, bool) else 0


def namespace_group(namespace: str, help: str | None = None) -> click.Group:
    """Return a lazy click group running the plugin namespace ``namespace`` under ``flask``.

    Flask imports every ``flask.commands`` entry point on every call of ``flask``; this group is
    cheap: creating and listing it imports no plugin (its short help is the distribution's
    Summary, read from metadata); ``flask <namespace> ...`` imports that plugin alone and runs
    ``manage.py <namespace> ...`` with the app ``flask`` loaded. A plugin publishes it with one
    line of its ``pyproject.toml`` (the attribute name is the namespace)::

        [project.entry-points."flask.commands"]
        migrate = "flask_script_hub.namespaces:migrate"

    Clash rule: a ``flask`` command of the same name that is not a flask-script-hub namespace
    (Flask's own ``run``/``shell``/``routes``, another extension's ``flask.commands`` entry point,
    a command of the app's ``app.cli`` such as Flask-Migrate's ``db``) wins; ``flask <namespace>``
    runs it and says so on stderr.

    :param namespace: the namespace (a ``flask_script_hub`` entry-point name).
    :param help: the short help shown by ``flask --help`` (default: the distribution's Summary).
    :returns: a :class:`flask_script_hub.namespaces.NamespaceGroup` (a :class:`click.Group`).
    """
    from .namespaces import NamespaceGroup

    return NamespaceGroup(namespace, help=help)


def manager_command(
    manager: Manager, name: str = "manage", help: str | None = None
) -> click.Command:
    """Return a click command that runs ``manager`` with the app loaded by ``flask``.

    Use it as ``app.cli.add_command(manager_command(manager))``, or publish it in the
    ``flask.commands`` entry-point group; ``flask manage <command> ...`` then behaves as
    ``python manage.py <command> ...``, except that the app is the one ``flask`` loaded
    (``--app``/``FLASK_APP``), not the manager's.

    :param manager: the root manager.
    :param name: the click command name.
    :param help: the help text (default: the manager's description).
    :returns: a :class:`click.Command` that forwards all its arguments.
    """
    import click
    from flask.cli import ScriptInfo

    @click.command(
        name,
        help=help or manager.description or "Run a flask-script-hub manage.py command.",
        context_settings={
            "ignore_unknown_options": True,
            "allow_extra_args": True,
            "help_option_names": [],
        },
        add_help_option=False,
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    @click.pass_context
    def command(ctx: click.Context, args: tuple[str, ...]) -> None:
        info = ctx.ensure_object(ScriptInfo)
        app = info.load_app()
        ctx.exit(manager.handle(ctx.command_path, list(args), app=app))

    return command
