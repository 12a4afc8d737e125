"""The ``shell`` command: a Python shell (or a script) in the app's context.

As Flask-Script 2.0's ``Shell`` with ``flask shell``'s context and plain-shell behaviour. Nothing
here imports Flask or a shell package at module level; they are imported when the command runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .commands import Command, InvalidCommand, Option
from .context import current_app_loader, current_manager

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["SHELLS", "Shell"]

#: The interactive shells tried, in order, before the standard :mod:`code` shell (Flask-Script
#: 2.0's order). Each name is also the suffix of the ``use_*`` argument and ``--no-*`` flag.
SHELLS = ("ptipython", "ptpython", "bpython", "ipython")


class Shell(Command):
    """Run a Python shell inside the application context.

    As Flask-Script 2.0's ``Shell``: the first of ptipython, ptpython, bpython and IPython that is
    installed and not switched off is started, else the standard :mod:`code` shell (with readline,
    tab completion of the context's names, and ``PYTHONSTARTUP`` run first, as ``flask shell``).
    A shell package that is not installed is skipped silently.

    The names available are, lowest precedence first: every plugin's ``shell_context(app)`` hook,
    the app's own ``app.make_shell_context()`` (``app``, ``g`` and the app's
    ``shell_context_processors``, as ``flask shell``), then ``make_context``.

    Without a terminal on stdin (``manage.py shell < script.py``) the script read from stdin runs in
    that context and its exit status (``sys.exit(n)``, 1 on an uncaught exception, else 0) is the
    command's; ``-c CODE`` runs one snippet the same way; ``-i`` forces the interactive shell, as
    ``python -i``.

    :param banner: text printed when the interactive shell starts; ``None`` (default) shows the
        Python version, the app and the names available.
    :param make_context: a callable returning a ``dict`` of names for the shell; it may take no
        argument (Flask-Script's ``_make_context()``) or the app (``@manager.shell``). ``None``
        (default) adds nothing to the app's own context.
    :param use_ipython: try IPython (command line: ``--no-ipython``).
    :param use_bpython: try bpython (``--no-bpython``).
    :param use_ptipython: try ptipython, ptpython running IPython (``--no-ptipython``).
    :param use_ptpython: try ptpython (``--no-ptpython``).
    """

    help_args = None

    def __init__(
        self,
        banner: str | None = None,
        make_context: Callable[..., dict[str, Any]] | None = None,
        use_ipython: bool = True,
        use_bpython: bool = True,
        use_ptipython: bool = True,
        use_ptpython: bool = True,
    ) -> None:
        super().__init__()
        self.__doc__ = (
            "Run a Python shell inside the application context.\n\n"
            "Shells tried in order: ptipython, ptpython, bpython, IPython, then the standard\n"
            "Python shell. Without a terminal on stdin (manage.py shell < script.py) the script\n"
            "runs in the shell's context and its exit status is the command's."
        )
        self.banner = banner
        self.make_context = make_context
        self.use_ipython = use_ipython
        self.use_bpython = use_bpython
        self.use_ptipython = use_ptipython
        self.use_ptpython = use_ptpython

    def get_options(self) -> list[Any]:
        """``-c/--command``, ``-i/--interactive`` and one ``--no-<shell>`` flag per shell."""
        options = [
            Option(
                "-c",
                "--command",
                dest="command",
                metavar="CODE",
                default=None,
                help="run CODE in the shell's context and exit, as python -c",
            ),
            Option(
                "-i",
                "--interactive",
                action="store_true",
                dest="interactive",
                default=False,
                help="start the interactive shell even when stdin is not a terminal",
            ),
        ]
        for name in SHELLS:
            options.append(
                Option(
                    f"--no-{name}",
                    action="store_true",
                    dest=f"no_{name}",
                    default=not getattr(self, f"use_{name}"),
                    help=f"do not use {name} even if it is installed",
                )
            )
        return options

    # -- context ----------------------------------------------------------------------------
    def get_context(self, app: Flask | None = None) -> dict[str, Any]:
        """The names of the shell, as described for the class.

        Override it to compute the context yourself; an override without the ``app`` parameter
        (Flask-Script 2.0's ``get_context(self)``) is called without it.

        :param app: the application (default: the app of the manage.py invocation in progress).
        :returns: ``{name: object}``.
        :raises InvalidCommand: when ``make_context`` does not return a mapping.
        """
        app = _invocation_app(app)
        context: dict[str, Any] = {}
        for result in _plugin_contexts(app):
            context.update(result)
        context.update(app.make_shell_context())
        if self.make_context is not None:
            extra = _call_with_optional_app(self.make_context, app)
            if not isinstance(extra, dict):
                raise InvalidCommand(
                    f"the shell context function {_name(self.make_context)} returned "
                    f"{type(extra).__name__}, not a dict"
                )
            context.update(extra)
        return context

    def get_banner(self, app: Flask, context: dict[str, Any]) -> str:
        """The banner: the ``banner`` argument, or Python version, app and names."""
        if self.banner is not None:
            return self.banner
        names = ", ".join(sorted(context)) or "(none)"
        return (
            f"Python {sys.version} on {sys.platform}\n"
            f"App: {app.import_name} [debug: {'on' if app.debug else 'off'}]\n"
            f"Instance: {app.instance_path}\n"
            f"Names: {names}"
        )

    # -- running ----------------------------------------------------------------------------
    def run(
        self,
        app: Flask | None = None,
        command: str | None = None,
        interactive: bool = False,
        no_ipython: bool = False,
        no_bpython: bool = False,
        no_ptipython: bool = False,
        no_ptpython: bool = False,
    ) -> int:
        """Run the snippet, the script on stdin, or the first interactive shell available.

        :returns: the exit status: that of the code run, 0 after an interactive session.
        """
        if command is None and (sys.stdin is None or sys.stdin.closed):  # run with <&-
            raise InvalidCommand("no shell: stdin is closed (give the code with -c)")
        app = _invocation_app(app)
        import inspect

        takes_app = bool(inspect.signature(self.get_context).parameters)
        context = self.get_context(app) if takes_app else self.get_context()
        if not isinstance(context, dict):
            raise InvalidCommand(f"get_context() returned {type(context).__name__}, not a dict")
        if command is not None:
            return run_source(command, "<string>", context)
        if not interactive and not _isatty(sys.stdin):
            return run_source(sys.stdin.read(), "<stdin>", context)
        disabled = {
            "ipython": no_ipython,
            "bpython": no_bpython,
            "ptipython": no_ptipython,
            "ptpython": no_ptpython,
        }
        banner = self.get_banner(app, context)
        for name in SHELLS:
            if not disabled[name] and _STARTERS[name](banner, context):
                return 0
        python_shell(banner, context)
        return 0


# -- running code -----------------------------------------------------------------------------
def run_source(source: str, filename: str, context: dict[str, Any]) -> int:
    """Run Python ``source`` in ``context`` as ``python -c``/``python < file`` would.

    :param source: the code.
    :param filename: the name shown in tracebacks (``"<stdin>"``).
    :param context: the globals; ``__name__`` is ``"__main__"`` unless set.
    :returns: 0; 1 after an uncaught exception, whose traceback is printed on stderr.
    :raises SystemExit: as raised by the code, for the manager to turn into the exit status.
    """
    import traceback

    context.setdefault("__name__", "__main__")
    context.setdefault("__builtins__", __builtins__)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        traceback.print_exception(exc, limit=0)
        return 1
    try:
        exec(code, context)
    except SystemExit:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        # hide this module's frame: show the user's code only
        traceback.print_exception(
            type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None
        )
        return 1
    finally:
        sys.stdout.flush()
    return 0


def python_shell(banner: str, context: dict[str, Any]) -> None:
    """The standard shell, as ``flask shell``: ``PYTHONSTARTUP``, readline, tab completion.

    :param banner: printed first (on stderr, as :func:`code.interact`).
    :param context: the shell's names.
    """
    import code
    import traceback

    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as file:
            source = file.read()
        try:
            exec(compile(source, startup, "exec"), context)
        except Exception:
            traceback.print_exc()
    hook = getattr(sys, "__interactivehook__", None)
    if hook is not None and _isatty(sys.stdin):
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            # complete the shell's names, not those of __main__ (manage.py)
            readline.set_completer(Completer(context).complete)
        hook()
    code.interact(banner=banner, local=context, exitmsg="")


# -- the other shells: each returns False when its package is not installed ----------------------
def _ptipython(banner: str, context: dict[str, Any]) -> bool:
    try:
        from ptpython.ipython import embed
    except ImportError:
        return False
    print(banner)
    embed(user_ns=context, history_filename=_history(".ptpython_history"))
    return True


def _ptpython(banner: str, context: dict[str, Any]) -> bool:
    try:
        from ptpython.repl import embed
    except ImportError:
        return False
    print(banner)
    startup = os.environ.get("PYTHONSTARTUP")
    embed(
        globals=context,
        history_filename=_history(".ptpython_history"),
        startup_paths=[startup] if startup and os.path.isfile(startup) else None,
    )
    return True


def _bpython(banner: str, context: dict[str, Any]) -> bool:
    try:
        from bpython import embed
    except ImportError:
        return False
    embed(locals_=context, banner=banner)
    return True


def _ipython(banner: str, context: dict[str, Any]) -> bool:
    try:
        from IPython import start_ipython
        from traitlets.config import Config
    except ImportError:
        return False
    config = Config()
    config.TerminalInteractiveShell.banner1 = banner + "\n"
    start_ipython(argv=[], user_ns=context, config=config)
    return True


_STARTERS: dict[str, Callable[[str, dict[str, Any]], bool]] = {
    "ptipython": _ptipython,
    "ptpython": _ptpython,
    "bpython": _bpython,
    "ipython": _ipython,
}


# -- helpers ------------------------------------------------------------------------------------
def _plugin_contexts(app: Flask) -> list[dict[str, Any]]:
    """The dicts of the plugins' ``shell_context`` hooks (none outside a manager invocation)."""
    try:
        manager = current_manager()
    except RuntimeError:
        return []
    results = []
    for result in manager.call_hook("shell_context", app=app):
        if result is None:
            continue
        if isinstance(result, dict):
            results.append(result)
        else:
            print(
                f"warning: a shell_context hook returned {type(result).__name__}, not a dict; "
                "ignored",
                file=sys.stderr,
            )
    return results


def _call_with_optional_app(func: Callable[..., Any], app: Flask) -> Any:
    """Call ``func(app)`` if it takes an argument, else ``func()``."""
    import inspect

    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return func()
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in params)
    return func(app) if positional or takes_varargs else func()


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


def _history(filename: str) -> str:
    return os.path.join(os.path.expanduser("~"), filename)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _invocation_app(app: Flask | None) -> Flask:
    """``app``, else the app of the manage.py invocation in progress (created once).

    :raises InvalidCommand: outside a manage.py invocation, when no app was given.
    """
    if app is not None:
        return app
    try:
        return current_app_loader()()
    except RuntimeError:
        raise InvalidCommand("the shell needs an application") from None
