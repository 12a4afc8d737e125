"""Working with Flask's click CLI, in both directions.

* :class:`ClickCommand` mounts a click command or group in a :class:`~flask_script_hub.Manager`:
  ``manager.add_command("routes", flask.cli.routes_command)`` (``add_command`` wraps click commands
  itself). The command gets a :class:`flask.cli.ScriptInfo` that loads the manager's app, once, so
  ``@with_appcontext`` commands work as under ``flask``.
* :func:`manager_command` turns a manager into a click command for ``app.cli.add_command`` or the
  ``flask.commands`` entry-point group: ``flask manage db create`` runs ``manage.py db create``
  with the app that ``flask`` loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .commands import Command

if TYPE_CHECKING:
    import click

    from .manager import Manager

__all__ = ["ClickCommand", "manager_command"]


class ClickCommand(Command):
    """A click command or group run as a manager command; its arguments are parsed by click.

    :param command: the :class:`click.Command` (or :class:`click.Group`).
    """

    capture_all_args = True
    needs_app = False  # click commands load it through ScriptInfo, if and when they need it
    help_args = ()

    def __init__(self, command: click.Command) -> None:
        super().__init__()
        self.command = command
        self.name = command.name

    @property
    def help(self) -> str:
        """The click command's short help."""
        return self.command.get_short_help_str(limit=80)

    @property
    def description(self) -> str:
        return self.command.help or ""

    def __call__(self, app: Any = None, *args: Any, **kwargs: Any) -> Any:
        from flask.cli import ScriptInfo

        from .manager import current_app_loader

        arguments: list[str] = args[0] if args else []
        info = ScriptInfo(create_app=current_app_loader(), set_debug_flag=False)
        try:  # in standalone mode click always ends with SystemExit, as under `flask`
            self.command.main(args=arguments, prog_name=self.name, obj=info, standalone_mode=True)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


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
