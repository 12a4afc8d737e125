"""The ``runserver`` command: Werkzeug's development server, with a reloader that survives errors.

As Flask-Script 2.0's ``Server`` (every constructor argument and flag), plus what ``flask run``
users expect (``--cert adhoc``, ``--extra-files``, ``--exclude-patterns``). Nothing here imports
Flask or Werkzeug at module level; they are imported when the command runs.

The reloader. Werkzeug's reloader runs the server in a child process (the same command line with
``WERKZEUG_RUN_MAIN=true``) and restarts it when the child exits with status 3 after a file
changed; when the child exits with any other status - ``manage.py`` cannot import a module with a
syntax error - Werkzeug's parent process exits too, and the user has to start the server again.
:class:`Server` keeps Werkzeug's reloader (``werkzeug.serving.run_simple`` with
``use_reloader=True``: same socket handling, same file watchers, same child protocol) but gives
it a reloader loop whose parent side, when the child fails, says so, watches the same files with
Werkzeug's own watcher (stat or watchdog) and starts the child again on the next change.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, Any, Literal

from ._compat import reloader_loops
from .commands import Command, InvalidCommand, Option

if TYPE_CHECKING:
    import ssl

    from flask import Flask

__all__ = ["Server"]

DEBUG_NONE_WARNING = (
    " * Warning: DEBUG is None in the app's configuration, so runserver turns the debugger on"
    " (Flask-Script's documented behaviour). Do not let others connect to this server; pass -d"
    " to turn the debugger on explicitly, or -D to turn it off."
)


class Server(Command):
    """Run the Flask development server (Werkzeug's ``run_simple``), as ``app.run()`` does.

    As Flask-Script 2.0's ``Server``; every argument is the default of the command-line flag
    named after it, which overrides it:

    :param host: address to listen on, ``-h/--host`` (default ``127.0.0.1``: this machine only).
        ``""`` (Flask-Script's ``Server(host="")``) and ``0.0.0.0`` listen on every IPv4
        interface; ``unix://PATH`` listens on a Unix socket.
    :param port: TCP port, ``-p/--port`` (default 5000).
    :param use_debugger: the Werkzeug debugger, ``-d/--debug``, ``-D/--no-debug``. ``None``
        (default) follows the app's debug mode; an app whose ``DEBUG`` is ``None`` gets the
        debugger, with a warning (Flask-Script 2.0.5). The app's ``debug`` is set to the result,
        as ``app.run(debug=...)`` does. Listening on a non-loopback address with the debugger on
        prints a warning: anyone who can connect can run code.
    :param use_reloader: restart the server when a source file changes, ``-r/--reload``,
        ``-R/--no-reload``; ``None`` (default) follows the debugger. After a change that breaks
        the app (a syntax or import error) the server reports it and waits for the next change.
    :param threaded: one thread per request, ``--threaded``.
    :param processes: up to this many processes, one per request, ``--processes``.
    :param passthrough_errors: let errors propagate out of the server (for pdb),
        ``--passthrough-errors``.
    :param ssl_crt: certificate file, ``--ssl-crt``/``--cert``; ``"adhoc"`` makes a temporary
        self-signed certificate (needs the ``cryptography`` package), as ``flask run --cert adhoc``.
    :param ssl_key: private key file, ``--ssl-key``/``--key``; required with a certificate file.
    :param options: more keyword arguments of ``werkzeug.serving.run_simple`` (``extra_files``,
        ``exclude_patterns``, ``reloader_interval``, ``reloader_type``, ``static_files``,
        ``use_evalex``, ``request_handler``). ``extra_files`` and ``exclude_patterns`` are also
        ``--extra-files``/``--exclude-patterns`` (lists separated by ``os.pathsep``, as
        ``flask run``), which add to these.

    Exit status 1 with one line on stderr when the port is in use, the host cannot be resolved,
    the certificate cannot be loaded, or the options contradict each other.
    """

    help_args = None

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        use_debugger: bool | None = None,
        use_reloader: bool | None = None,
        threaded: bool = False,
        processes: int = 1,
        passthrough_errors: bool = False,
        ssl_crt: str | None = None,
        ssl_key: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.__doc__ = "Run the Flask development server."
        self.host = host
        self.port = port
        self.use_debugger = use_debugger
        self.use_reloader = use_reloader
        self.threaded = threaded
        self.processes = processes
        self.passthrough_errors = passthrough_errors
        self.ssl_crt = ssl_crt
        self.ssl_key = ssl_key
        self.server_options = options

    def get_options(self) -> list[Any]:
        """The flags of Flask-Script 2.0's ``Server`` plus ``flask run``'s file-watching ones."""
        return [
            Option("-h", "--host", dest="host", default=self.host, help="(default: %(default)s)"),
            Option(
                "-p",
                "--port",
                dest="port",
                type=int,
                default=self.port,
                help="(default: %(default)s)",
            ),
            Option(
                "--threaded",
                dest="threaded",
                action="store_true",
                default=self.threaded,
                help="handle each request in a thread",
            ),
            Option(
                "--processes",
                dest="processes",
                type=int,
                default=self.processes,
                help="handle each request in a process, up to this many (default: %(default)s)",
            ),
            Option(
                "--passthrough-errors",
                dest="passthrough_errors",
                action="store_true",
                default=self.passthrough_errors,
                help="let errors propagate out of the server (for debuggers such as pdb)",
            ),
            Option(
                "-d",
                "--debug",
                dest="use_debugger",
                action="store_true",
                default=self.use_debugger,
                help="turn the Werkzeug debugger on (default: the app's debug mode)",
            ),
            Option(
                "-D",
                "--no-debug",
                dest="use_debugger",
                action="store_false",
                default=self.use_debugger,
                help="turn the debugger off",
            ),
            Option(
                "-r",
                "--reload",
                dest="use_reloader",
                action="store_true",
                default=self.use_reloader,
                help="restart when a source file changes (default: on with the debugger)",
            ),
            Option(
                "-R",
                "--no-reload",
                dest="use_reloader",
                action="store_false",
                default=self.use_reloader,
                help="do not restart on changes",
            ),
            Option(
                "--ssl-crt",
                "--cert",
                dest="ssl_crt",
                default=self.ssl_crt,
                metavar="FILE",
                help="serve HTTPS with this certificate, or 'adhoc' for a temporary one",
            ),
            Option(
                "--ssl-key",
                "--key",
                dest="ssl_key",
                default=self.ssl_key,
                metavar="FILE",
                help="the private key of --ssl-crt",
            ),
            Option(
                "--extra-files",
                dest="extra_files",
                type=_path_list,
                default=[],
                metavar="FILES",
                help=f"more files that trigger a reload, separated by {os.pathsep!r}",
            ),
            Option(
                "--exclude-patterns",
                dest="exclude_patterns",
                type=_path_list,
                default=[],
                metavar="PATTERNS",
                help=f"fnmatch patterns of files that do not trigger a reload, separated by "
                f"{os.pathsep!r}",
            ),
        ]

    def __call__(self, app: Flask | None = None, *args: Any, **kwargs: Any) -> Any:
        """Run the server (no app context is pushed: requests push their own)."""
        if app is None:
            raise InvalidCommand("runserver needs an application")
        return self.run(app, *args, **kwargs)

    def run(
        self,
        app: Flask,
        host: str = "127.0.0.1",
        port: int = 5000,
        use_debugger: bool | None = None,
        use_reloader: bool | None = None,
        threaded: bool = False,
        processes: int = 1,
        passthrough_errors: bool = False,
        ssl_crt: str | None = None,
        ssl_key: str | None = None,
        extra_files: list[str] | None = None,
        exclude_patterns: list[str] | None = None,
    ) -> int:
        """Serve ``app`` until interrupted.

        :returns: 0 after Ctrl-C; the reloader's child protocol uses other statuses.
        :raises InvalidCommand: as described for the class.
        """
        from werkzeug.serving import is_running_from_reloader, run_simple

        child = is_running_from_reloader()
        if host == "":  # Flask-Script's Server(host=""): every interface, as socket.bind("")
            host = "0.0.0.0"
        if use_debugger is None:
            if app.config.get("DEBUG", False) is None:
                use_debugger = True
                if not child:
                    print(DEBUG_NONE_WARNING, file=sys.stderr)
            else:
                use_debugger = bool(app.debug)
        if use_reloader is None:
            use_reloader = use_debugger
        if threaded and processes > 1:
            raise InvalidCommand("--threaded and --processes > 1 cannot be combined")
        if processes < 1:
            raise InvalidCommand("--processes must be at least 1")
        if not 0 <= port <= 65535:
            raise InvalidCommand(f"port {port} is not between 0 and 65535")
        options = self._run_simple_options(extra_files or [], exclude_patterns or [])
        ssl_context = _ssl_context(ssl_crt, ssl_key)

        if not child:
            if use_debugger and not _is_loopback(host):
                print(
                    f" * Warning: the debugger is on and the server listens on {host or '*'!r},"
                    " which other machines can reach: anyone who can connect can run code on"
                    " this machine. Use -h 127.0.0.1, or -D to turn the debugger off.",
                    file=sys.stderr,
                )
            _check_port(host, port)
            # the two lines of flask.cli.show_server_banner (not a public API of Flask)
            print(f" * Serving Flask app '{app.name}'", flush=True)
            print(f" * Debug mode: {'on' if use_debugger else 'off'}", flush=True)
        if use_reloader:
            options["reloader_type"] = _supervising_reloader(options.get("reloader_type", "auto"))
        app.debug = use_debugger  # as app.run(debug=...): Flask lets the debugger see errors
        run_simple(
            host,
            port,
            app,
            use_reloader=use_reloader,
            use_debugger=use_debugger,
            threaded=threaded,
            processes=processes,
            passthrough_errors=passthrough_errors,
            ssl_context=ssl_context,
            **options,
        )
        return 0

    def _run_simple_options(
        self, extra_files: list[str], exclude_patterns: list[str]
    ) -> dict[str, Any]:
        """``server_options`` checked against ``run_simple``, plus the command-line lists."""
        import inspect

        from werkzeug.serving import run_simple

        options = dict(self.server_options)
        accepted = set(inspect.signature(run_simple).parameters) - {
            "hostname",
            "port",
            "application",
            "use_reloader",
            "use_debugger",
            "threaded",
            "processes",
            "passthrough_errors",
            "ssl_context",
        }
        unknown = sorted(set(options) - accepted)
        if unknown:
            raise InvalidCommand(
                f"Server() got options that run_simple does not take: {', '.join(unknown)}"
            )
        for name, more in (("extra_files", extra_files), ("exclude_patterns", exclude_patterns)):
            if more:
                options[name] = [*(options.get(name) or ()), *more]
        return options


# -- the reloader -------------------------------------------------------------------------------
def _supervising_reloader(reloader_type: str) -> str:
    """Register (once) a reloader loop that survives a failing child; return its type name.

    Werkzeug looks reloader loops up by name in its registry (:func:`._compat.reloader_loops`)
    in both processes; the child side and the file watching are Werkzeug's, only the parent's
    ``restart_with_reloader`` changes: when the child exits with a status other than 0 or 3 it
    reports it, waits for a change with a fresh Werkzeug watcher of the same kind, and restarts.
    When the registry is not as expected, Werkzeug's own reloader is used (``reloader_type``
    is returned unchanged).
    """
    loops = reloader_loops()
    if loops is None:
        return reloader_type
    if reloader_type not in loops:
        choices = ", ".join(sorted(k for k in loops if ":" not in k))
        raise InvalidCommand(f"unknown reloader_type {reloader_type!r} (choose from {choices})")
    name = f"flask_script_hub:{reloader_type}"
    if name in loops:
        return name
    base = loops[reloader_type]

    class SupervisingReloaderLoop(base):  # type: ignore[valid-type,misc]
        def restart_with_reloader(self) -> int:
            while True:
                status = super().restart_with_reloader()
                if status == 0:
                    return 0
                watcher = base(
                    extra_files=self.extra_files,
                    exclude_patterns=self.exclude_patterns,
                    interval=self.interval,
                )
                try:
                    with watcher:  # the files' state is recorded before the message is shown
                        print(
                            f" * The server exited with status {status} (see the error above)."
                            " Waiting for a file change to restart it...",
                            file=sys.stderr,
                            flush=True,
                        )
                        watcher.run()
                except SystemExit as exc:  # Werkzeug's watchers exit with 3 on a change
                    if exc.code != 3:
                        raise

    SupervisingReloaderLoop.__name__ = f"Supervising{base.__name__}"
    loops[name] = SupervisingReloaderLoop
    return name


# -- checks -------------------------------------------------------------------------------------
def _path_list(value: str) -> list[str]:
    return [item for item in value.split(os.pathsep) if item]


def _ssl_context(crt: str | None, key: str | None) -> ssl.SSLContext | Literal["adhoc"] | None:
    """The ``ssl_context`` for ``run_simple``, as ``flask run --cert/--key`` validates them."""
    if crt is None and key is None:
        return None
    if crt == "adhoc":
        if key is not None:
            raise InvalidCommand("--ssl-key/--key cannot be used with --cert adhoc")
        import importlib.util

        if importlib.util.find_spec("cryptography") is None:
            raise InvalidCommand(
                "--cert adhoc needs the cryptography package: pip install cryptography"
            )
        return "adhoc"
    if crt is None or key is None:
        raise InvalidCommand("--ssl-crt/--cert and --ssl-key/--key must be given together")
    import ssl

    from werkzeug.serving import load_ssl_context

    try:
        return load_ssl_context(crt, key)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
        raise InvalidCommand(f"cannot load the certificate {crt} and key {key}: {reason}") from None


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (``unix://`` sockets count)."""
    import ipaddress
    import socket

    if host.startswith("unix://") or host == "localhost":
        return True
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def _check_port(host: str, port: int) -> None:
    """Fail with one line if Werkzeug could not bind ``host:port`` (binds a probe and closes it)."""
    if host.startswith("unix://"):
        return
    import socket  # +11 ms at start-up (python -X importtime); Werkzeug imports it anyway

    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    try:
        address = get_sockaddr(host, port, family)
    except OSError as exc:
        raise InvalidCommand(f"cannot resolve host {host!r}: {exc}") from None
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Werkzeug's server
        probe.bind(address)
    except socket.gaierror as exc:
        raise InvalidCommand(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InvalidCommand(
                f"port {port} on {host} is in use by another program; stop it or choose another"
                " port with -p/--port"
            ) from None
        raise InvalidCommand(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        probe.close()
