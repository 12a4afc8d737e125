"""The Manager: a registry of commands, the parser of one path through it, and dispatch.

Follows Flask-Script 2.0's ``flask_script.Manager``. One invocation (``manager.run()``):

1. parse the root manager's options, which come before the first command word;
2. walk the path root -> sub-managers (or a plugin namespace, imported only now) -> command,
   building argparse parsers for that path only;
3. create the app at most once, only if the command needs it (:class:`~.loading.AppLoader`);
4. run the command in the app context and turn its outcome into an exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from .commands import Command, Group, InvalidCommand, Option, add_help_option, first_paragraph
from .context import Invocation, current_app_loader, current_manager, invocation
from .envvars import TRACEBACK_ENV, env_flag
from .parsing import (
    ARGS_DEST,
    COMMAND_DEST,
    DEFAULT_HELP_ARGS,
    ManagerParser,
    ParsedLine,
    Sections,
    parse_manager_options,
    plugin_summary,
    summary,
    unknown_command_message,
)

if TYPE_CHECKING:
    import pluggy
    from flask import Flask

    from .loading import AppLoader
    from .plugins import PluginInfo, PluginRegistry

__all__ = ["DEFAULT_HELP_ARGS", "Manager", "current_app_loader", "current_manager"]

F = TypeVar("F", bound=Callable[..., Any])


class Manager:
    """Controller of a set of commands: ``manager.run()`` parses ``sys.argv`` and runs one.

    Follows Flask-Script 2.0's ``Manager`` (same arguments, methods and decorators); see the
    package docs for what it adds: plugin namespaces, sub-manager options that can replace the
    app, the app created at most once per invocation, and exit statuses.

    :param app: a :class:`flask.Flask` instance; a factory called with the manager options as
        keyword arguments; an import string (``"myapp:create_app"``, as ``flask --app`` reads it);
        or ``None``: the root uses ``FLASK_APP`` and a sub-manager its parent's app. For a
        sub-manager, a callable ``app(parent_app, **options)`` whose non-``None`` return value
        replaces the app of everything below it.
    :param with_default_commands: add ``shell``, ``runserver`` and ``plugins``; ``None`` (default)
        means yes for the root manager and no for a sub-manager.
    :param usage: the usage line of this manager's help and usage errors, as in Flask-Script
        2.0.6 (``Manager(usage="Perform database operations")``); also the default for ``help``
        and ``description``. ``None`` (default): argparse's generated usage.
    :param help: one line shown for this manager in its parent's command list.
    :param description: text shown at the top of this manager's ``--help``.
    :param disable_argcomplete: do not answer shell-completion requests.
    :param plugins: namespaces or distribution names of installed plugins to load; ``None``
        (default) loads every installed plugin on demand.
    :param disable_plugins: namespaces or distribution names of installed plugins never to load
        (the environment variable ``FLASK_SCRIPT_HUB_DISABLE_PLUGINS`` adds to it).
    :param load_dotenv: load ``.flaskenv`` and ``.env`` before creating the app, as the Flask
        CLI does (``FLASK_SKIP_DOTENV=1`` turns it off too).
    :param request_context: run commands inside ``app.test_request_context()`` (default, as
        Flask-Script 2.0.6: ``url_for`` works in commands); ``False`` pushes only
        ``app.app_context()``, as ``flask`` commands get. Read from the root manager.
    """

    #: Option strings that print help, for this manager and, unless they set their own, the
    #: commands and sub-managers below it. ``None`` inherits; the root falls back to
    #: ``("-?", "--help")`` (Flask-Script 2.0.2; ``-h`` is left free for ``--host``).
    help_args: Sequence[str] | None = None

    def __init__(
        self,
        app: Any = None,
        with_default_commands: bool | None = None,
        usage: str | None = None,
        help: str | None = None,
        description: str | None = None,
        disable_argcomplete: bool = False,
        *,
        plugins: Sequence[str] | None = None,
        disable_plugins: Sequence[str] | None = None,
        load_dotenv: bool = True,
        request_context: bool = True,
    ) -> None:
        self.app = app
        self.usage = usage
        self.help = help if help is not None else usage
        self.description = description if description is not None else usage
        self.disable_argcomplete = disable_argcomplete
        self.with_default_commands = with_default_commands
        self.load_dotenv = load_dotenv
        self.request_context = request_context
        self.parent: Manager | None = None
        self._commands: dict[str, Any] = {}
        self._options: list[Option | Group] = []
        self._plugin_args = (plugins, disable_plugins)
        self._plugins: PluginRegistry | None = None

    # -- registration -----------------------------------------------------------------------
    def add_command(self, *args: Any, **kwargs: Any) -> None:
        """Add a command: ``add_command(name, command)`` or ``add_command(command)``.

        Follows Flask-Script 2.0: ``command`` is a :class:`Command` instance or class, a
        sub-:class:`Manager`, or (new) a click command or group, such as
        ``flask.cli.routes_command``. Without a name, the command's ``name`` attribute or its class
        name (lowercased, without a ``command`` suffix) is used. ``namespace="ns"`` adds it to a
        sub-manager ``ns``, created when missing. A name added again replaces the earlier command.

        :raises TypeError: when ``command`` is not a command.
        """
        if len(args) == 1:
            name, command = None, args[0]
        elif len(args) == 2:
            name, command = args
        else:
            raise TypeError("add_command() takes (command) or (name, command)")
        namespace = kwargs.pop("namespace", None) or getattr(command, "namespace", None)
        if kwargs:
            raise TypeError(f"add_command() got unexpected arguments: {', '.join(kwargs)}")
        if isinstance(command, type):
            command = command()
        if _is_click_command(command):
            from .flask_cli import ClickCommand

            name = name or command.name
            command = ClickCommand(command)
        if not isinstance(command, (Command, Manager)) and not hasattr(command, "create_parser"):
            raise TypeError(f"{command!r} is not a Command, a Manager or a click command")
        if name is None:
            name = getattr(command, "name", None)
            if not isinstance(name, str):
                name = type(command).__name__.lower().removesuffix("command") or "command"
        if isinstance(command, Manager):
            command.parent = self
        target = self
        if namespace:
            if not isinstance(self._commands.get(namespace), Manager):
                self.add_command(namespace, Manager())
            target = self._commands[namespace]
            if isinstance(command, Manager):
                command.parent = target
        # stored directly, as Flask-Script 2.0.6 did: going through add_command again would read
        # a class-level ``namespace`` attribute of the command once more, without end
        target._commands[name] = command

    def command(self, func: F) -> F:
        """Decorator: make a function a command named after it, options read from its signature.

        As Flask-Script 2.0's ``@manager.command``; see :class:`Command` for how parameters become
        arguments and options.
        """
        self.add_command(func.__name__, Command(func))
        return func

    def option(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Decorator: add an :class:`Option` to a function's command, registering it if needed.

        As Flask-Script 2.0's ``@manager.option``: stack it any number of times (the options keep
        the order in which they are written); do not combine with ``@manager.command``.
        """
        option = Option(*args, **kwargs)

        def decorate(func: F) -> F:
            command = self._commands.get(func.__name__)
            if not isinstance(command, Command) or getattr(command, "_func", None) is not func:
                command = Command(func)
                self.add_command(func.__name__, command)
            command.option_list.insert(0, option)  # type: ignore[attr-defined]
            return func

        return decorate

    def shell(self, func: F) -> F:
        """Decorator: use ``func(app) -> dict`` as the context of the ``shell`` command.

        As Flask-Script 2.0's ``@manager.shell``: equivalent to
        ``manager.add_command("shell", Shell(make_context=func))``.
        """
        from .shell import Shell

        self.add_command("shell", Shell(make_context=func))
        return func

    def add_option(self, *args: Any, **kwargs: Any) -> None:
        """Add a manager option, parsed before the command name and passed to the app function.

        As Flask-Script 2.0's ``add_option``: takes the arguments of :class:`Option`. The root's
        options go to the app factory as keyword arguments (ignored when the app is an instance);
        a sub-manager's go to its app function ``(app, **options)``. They are not passed to
        commands, and an option given after the command name is a usage error.
        """
        self._options.append(Option(*args, **kwargs))

    def get_options(self) -> list[Option | Group]:
        """The manager options (Flask-Script 2.0 API)."""
        return list(self._options)

    def set_defaults(self) -> None:
        """Add the default commands now if this manager gets them, then never again.

        Flask-Script 2.0.6 API (``run`` calls it): ``with_default_commands=None`` means yes for
        a root manager (no parent), no for a sub-manager. Commands already registered under the
        default names are kept.
        """
        if self.with_default_commands is None:
            self.with_default_commands = self._is_root()
        if self.with_default_commands:
            self.add_default_commands()
        self.with_default_commands = False

    def add_default_commands(self) -> None:
        """Add ``shell``, ``runserver`` and ``plugins`` unless commands of those names exist."""
        from .listing import PluginsCommand
        from .server import Server
        from .shell import Shell

        for name, factory in (("shell", Shell), ("runserver", Server), ("plugins", PluginsCommand)):
            if name not in self._commands:
                self.add_command(name, factory())

    # -- plugins ----------------------------------------------------------------------------
    @property
    def plugins(self) -> PluginRegistry:
        """The :class:`~flask_script_hub.plugins.PluginRegistry` of this manager."""
        if self._plugins is None:
            from .plugins import PluginRegistry

            self._plugins = PluginRegistry(self, *self._plugin_args)
        return self._plugins

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The :class:`pluggy.PluginManager` holding the hookspecs and the loaded plugins."""
        return self.plugins.plugin_manager

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin (a module or object with ``@hookimpl`` functions) in code.

        The one registration door, for apps and tests: the plugin is used exactly like an
        installed plugin whose entry-point name is ``name``. Its ``namespace_command`` (or legacy
        ``register_commands``) gives the command mounted as ``name``; without either, it is a
        plugin with hooks only (listed under its own heading, never a command word). Its
        ``add_hookspecs`` runs now, and every hook implementation is checked against the specs
        known, as pluggy's ``register`` does.

        Plugins belong to the root manager, which owns the plugin manager: a sub-manager (one
        already added to a parent) refuses, rather than registering where no hook is called.

        :param plugin: a module or object with ``@hookimpl`` functions.
        :param name: the namespace; default: the module's last name part or the class name,
            lowercased.
        :raises pluggy.PluginValidationError: when a hook implementation does not match its spec.
        :raises ValueError: when ``name`` is taken.
        :raises RuntimeError: on a sub-manager.
        """
        if not self._is_root():
            raise RuntimeError(
                "register_plugin() is called on a sub-manager: plugins are registered on the "
                "root manager (the one whose run() is called), e.g. manager.register_plugin(...)"
            )
        self.plugins.register(plugin, name)

    def load_plugins(self) -> list[PluginInfo]:
        """Import and register every enabled installed plugin, so that all their hooks are known.

        For a plugin that calls a hook of its own through :attr:`plugin_manager` (where a failing
        implementation must stop the command, unlike :meth:`call_hook`). A plugin that fails to
        import (whatever it raises, a Ctrl-C of the user aside) is recorded with its error and
        reported as a one-line warning on stderr, not raised.

        :returns: every plugin but the disabled ones (:class:`~.plugins.PluginInfo`, ``status``
            ``loaded`` or ``error``).
        """
        from .plugins import PluginStatus

        infos = list(self.plugins.load_all())
        for info in infos:
            if info.status == PluginStatus.ERROR:
                self.plugins.warn(info)
        return infos

    def call_hook(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call a hook on every enabled plugin, importing them all; failures become warnings.

        Each implementation is called alone (pluggy's ``subset_hook_caller``): one that raises
        anything (``SystemExit`` and a ``KeyboardInterrupt`` it raises itself included) is a
        one-line warning naming the plugin, and the others still run. A Ctrl-C of the user
        stops the command (exit status 130).

        :returns: the non-``None`` results (``list``).
        """
        return self.plugins.call_hook(hook_name, **kwargs)

    # -- lookup -----------------------------------------------------------------------------
    @property
    def commands(self) -> Mapping[str, Any]:
        """This manager's own commands and sub-managers by name (a read-only view).

        Holds what ``add_command``, ``@command``, ``@option`` and the default commands registered;
        plugin namespaces are not in it until :meth:`find_command` loads one.

        :returns: ``{name: Command | Manager | mounted click command}``, a
            ``types.MappingProxyType``.
        """
        return MappingProxyType(self._commands)

    def _is_root(self) -> bool:
        return self.parent is None

    def _prepare(self) -> None:
        self.set_defaults()

    def find_command(self, name: str) -> Any:
        """The command or sub-manager called ``name``, as running ``name`` would find it.

        Own commands first, with ``_`` and ``-`` interchangeable (``populate_db`` answers to
        ``populate-db``); then, for the root manager, the plugin namespace of that name, whose
        plugin is loaded by this call.

        :param name: a command word, as typed.
        :returns: a :class:`~flask_script_hub.Command`, a :class:`Manager`, a mounted click
            command, or ``None`` when nothing has that name.
        :raises flask_script_hub.plugins.PluginError: when ``name`` is the namespace of a plugin
            that failed to load.
        """
        for candidate in (name, name.replace("-", "_"), name.replace("_", "-")):
            if candidate in self._commands:
                return self._commands[candidate]
        if self._is_root():
            return self.plugins.get_command(name)
        return None

    def _sections(self) -> Sections:
        """The command lists of this manager's help; for the root, reads every plugin's metadata
        (called only when the help is printed)."""
        own = [(name, summary(cmd)) for name, cmd in sorted(self._commands.items())]
        if not self._is_root():
            return [("commands", own)]
        plugin_rows = []
        namespaces = self.plugins.namespaces()
        for name, info in sorted(namespaces.items()):
            if name in self._commands:
                continue
            plugin_rows.append((name, plugin_summary(info)))
        app_rows = [
            (name, first_paragraph(command.get_short_help_str(limit=80)))
            for name, command in sorted(_app_cli_commands(self.app).items())
            if name not in self._commands and name not in namespaces
        ]
        return [
            ("commands", own),
            ("plugin namespaces", plugin_rows),
            ("app commands (app.cli)", app_rows),
        ]

    def command_names(self) -> list[str]:
        """Names of the commands, sub-managers and (for the root) plugin namespaces, sorted."""
        names = set(self._commands)
        if self._is_root():
            names.update(self.plugins.namespaces())
            names.update(_app_cli_commands(self.app))
        return sorted(names)

    def create_parser(
        self, prog: str, help_args: Sequence[str] = DEFAULT_HELP_ARGS
    ) -> ManagerParser:
        """Build this manager's parser: its options, then ``COMMAND`` and the rest of the line.

        The command lists of its help are computed when the help is printed, not here.

        :param prog: the program name for usage lines (``"manage.py"``, ``"manage.py db"``).
        :param help_args: option strings that print help.
        :returns: a :class:`~flask_script_hub.parsing.ManagerParser`; the command word is parsed
            into :data:`~flask_script_hub.parsing.COMMAND_DEST` and the words after it into
            :data:`~flask_script_hub.parsing.ARGS_DEST`.
        """
        parser = ManagerParser(
            prog=prog,
            usage=self.usage,
            description=self.description,
            add_help=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            sections=self._sections,
        )
        add_help_option(parser, help_args, self._options)
        for option in self._options:
            option.add_to(parser)
        parser.add_argument(COMMAND_DEST, nargs="?", metavar="COMMAND", help=argparse.SUPPRESS)
        parser.add_argument(ARGS_DEST, nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        return parser

    def parse(
        self,
        prog: str,
        argv: Sequence[str],
        *,
        default_command: str | None = None,
    ) -> ParsedLine:
        """Walk a command line root -> sub-managers -> command, as running it would.

        Parses each manager's options, finds each command word (loading the plugin namespace it
        names, if any), and stops at the first command that is not a manager. Creates no app and
        runs nothing; the command's own arguments are left in ``args``
        (:meth:`~flask_script_hub.parsing.ParsedLine.parse_command_args` parses them).
        Commands of the app's ``app.cli`` are not looked up (that needs the app).

        :param prog: the program name for usage lines and errors (``"manage.py"``).
        :param argv: the words after the program name.
        :param default_command: the command when the root is given none (as :meth:`run`).
        :returns: a :class:`~flask_script_hub.parsing.ParsedLine`; its ``command`` is ``None``
            when a manager on the path was given no command word.
        :raises SystemExit: code 2 with argparse's message (unknown command or option), or 0
            after printing help when the line asks for it.
        :raises flask_script_hub.plugins.PluginError: when a word names a broken plugin.
        """
        self._prepare()
        return self._walk(prog, list(argv), default_command, None)

    def _walk(
        self,
        prog: str,
        args: list[str],
        default_command: str | None,
        find_elsewhere: Callable[[str, ParsedLine], tuple[Any, str]] | None,
    ) -> ParsedLine:
        line = ParsedLine(prog)
        manager = self
        help_args: Sequence[str] = DEFAULT_HELP_ARGS
        while True:
            if manager is not self:
                manager._prepare()  # a sub-manager's defaults, if it asked for them
            if manager.help_args is not None:
                help_args = manager.help_args
            parser = manager.create_parser(line.prog, help_args)
            line.parser, line.help_args = parser, help_args
            line.manager_parsers.append((line.prog, parser))
            namespace, given_here = parse_manager_options(parser, args, help_args)
            line.given.extend((manager, line.prog, strings) for strings in given_here)
            name, args = getattr(namespace, COMMAND_DEST), getattr(namespace, ARGS_DEST)
            options = {
                k: v for k, v in vars(namespace).items() if k not in (COMMAND_DEST, ARGS_DEST)
            }
            line.path.append((manager, options))
            if name is None:
                if manager is not self or not default_command:
                    line.args = args
                    return line
                name = default_command
            command = manager.find_command(name)
            why = ""
            if command is None and manager is self and find_elsewhere is not None:
                command, why = find_elsewhere(name, line)
            if command is None:
                parser.error(unknown_command_message(name, manager.command_names()) + why)
            line.names.append(name)
            line.prog = f"{line.prog} {name}"
            if isinstance(command, Manager):
                manager = command
                continue
            line.command, line.args = command, args
            return line

    # -- running ----------------------------------------------------------------------------
    def run(
        self, commands: Mapping[str, Any] | None = None, default_command: str | None = None
    ) -> None:
        """Parse ``sys.argv``, run the command and exit with its status. Never returns.

        As Flask-Script 2.0's ``run``: ``commands`` adds ``{name: command}``;
        ``default_command`` runs when no command is given.

        Exit status: the command's ``int`` return value, else 0; 1 for
        :class:`~flask_script_hub.InvalidCommand`; 2 for a usage error; 130 for Ctrl-C.
        """
        for name, command in (commands or {}).items():
            self.add_command(name, command)
        prog = os.path.basename(sys.argv[0]) or "manage.py"
        sys.exit(self.handle(prog, sys.argv[1:], default_command=default_command))

    def handle(
        self,
        prog: str,
        args: Sequence[str] | None = None,
        *,
        default_command: str | None = None,
        app: Flask | None = None,
    ) -> int:
        """Run the command that ``args`` names and return the exit status.

        :param prog: the program name for usage lines.
        :param args: the arguments after the program name (default: ``sys.argv[1:]``).
        :param default_command: the command to run when ``args`` names none.
        :param app: use this app rather than the manager's (the ``flask`` command passes its own).
        :returns: the exit status (``int``), as described for :meth:`run`.
        """
        args = list(sys.argv[1:] if args is None else args)
        with invocation(Invocation(self, app)) as current:
            try:
                return self._dispatch(prog, args, current, default_command)
            except InvalidCommand as exc:
                if env_flag(TRACEBACK_ENV):
                    import traceback  # error path only: +10 ms at start-up (python -X importtime)

                    traceback.print_exception(exc)
                print(f"error: {exc}", file=sys.stderr)
                return 1
            except KeyboardInterrupt:
                print("\nAborted!", file=sys.stderr)
                return 130
            except SystemExit as exc:  # argparse's usage errors and help, or the command's exit
                if exc.code is None:
                    return 0
                if isinstance(exc.code, int):
                    return exc.code
                print(exc.code, file=sys.stderr)
                return 1

    def _dispatch(
        self, prog: str, args: list[str], current: Invocation, default_command: str | None
    ) -> int:
        self._prepare()
        if "_ARGCOMPLETE" in os.environ and not self.disable_argcomplete:
            from .completion import autocomplete  # imports argcomplete

            autocomplete(self, prog)

        def app_command(name: str, line: ParsedLine) -> tuple[Any, str]:
            current.path = line.path
            current.loader = self._make_loader(current, line)
            return self._find_app_command(name, current.loader)

        line = self._walk(prog, args, default_command, app_command)
        current.path = line.path
        if line.command is None:
            assert line.parser is not None
            line.parser.print_help()
            return 0
        if current.loader is None:
            current.loader = self._make_loader(current, line)
        positional, kwargs = line.parse_command_args()
        current.loader.check_options()
        app = current.loader() if line.command.needs_app else None
        result = line.command(app, *positional, **kwargs)
        if isinstance(result, int) and not isinstance(result, bool):
            return result
        return 0

    def _make_loader(self, current: Invocation, line: ParsedLine) -> AppLoader:
        from .loading import AppLoader  # imports Flask when the app is created

        return AppLoader(
            line.path,
            current.app_override,
            self.load_dotenv,
            given=[(m, f"{p}: {'/'.join(strings)}") for m, p, strings in line.given],
            usage_error=line.manager_parsers[0][1].error,
        )

    @staticmethod
    def _find_app_command(name: str, loader: AppLoader) -> tuple[Any, str]:
        """Fall back to a click command of the app's ``app.cli`` (blueprints' included).

        Creates the app (once: the command reuses it). A failure to create it does not hide the
        unknown-command error; it is added to it.

        :returns: ``(ClickCommand or None, text to add to the unknown-command error)``.
        """
        try:
            app = loader()
        except InvalidCommand as exc:
            return None, f" (the app's commands could not be checked: {exc})"
        commands = app.cli.commands
        for candidate in (name, name.replace("-", "_"), name.replace("_", "-")):
            if candidate in commands:
                from .flask_cli import ClickCommand

                return ClickCommand(commands[candidate]), ""
        return None, ""


def _app_cli_commands(app: object) -> dict[str, Any]:
    """The click commands of ``app.cli`` when ``app`` is a Flask instance, else ``{}``."""
    flask = sys.modules.get("flask")
    if flask is None or not isinstance(app, flask.Flask):
        return {}
    return dict(app.cli.commands)


def _is_click_command(obj: object) -> bool:
    click = sys.modules.get("click")
    return click is not None and isinstance(obj, click.Command)
