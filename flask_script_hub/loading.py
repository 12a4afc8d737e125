"""Finding and creating the Flask application of one invocation, once.

Like Flask's ``ScriptInfo``: the app is described (an instance, a factory, an import string, or
``FLASK_APP``) and created lazily, the first time a command needs it, then reused; ``--help``,
listing and completion never create it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from .commands import InvalidCommand, one_line

if TYPE_CHECKING:
    from flask import Flask

    from .manager import Manager


def _is_flask(obj: object) -> bool:
    from flask import Flask

    return isinstance(obj, Flask)


def import_app_object(spec: str) -> object:
    """Import what an app import string names, as ``flask --app`` reads it.

    Uses :mod:`flask.cli` (``prepare_import``, ``find_best_app``, ``find_app_by_string``), so the
    forms and the error hints are those of ``flask --app``:

    * ``"app.py"``, ``"src/app.py"``, ``"package"``, ``"package.module"`` (a file path is turned
      into a module name and its folder put on ``sys.path``);
    * ``":name"`` after it: an app instance, or a factory;
    * ``":create_app('dev', debug=True)"``: a factory call with literal arguments (Flask calls it);
    * no name: the ``app``/``application`` instance, else the only Flask instance of the module
      (``webapp``), else its ``create_app``/``make_app`` factory, in the order of Flask's
      ``find_best_app``.

    A factory found without a call expression is returned uncalled, so that the manager calls it
    with the manager options (Flask calls it without arguments).

    :param spec: the import string (``Manager("...")`` or ``FLASK_APP``).
    :returns: a :class:`flask.Flask` instance or a factory callable.
    :raises InvalidCommand: with Flask's message when the module cannot be imported or names
        nothing usable. An ImportError raised inside the app's own code propagates unchanged (its
        traceback is the useful part).
    """
    import inspect  # +9 ms at start-up (python -X importtime); Flask imports it anyway

    from flask.cli import NoAppException, find_app_by_string, find_best_app, prepare_import

    parts = re.split(r":(?![\\/])", spec, maxsplit=1)  # flask.cli.ScriptInfo's split
    path, name = parts[0], (parts[1] if len(parts) > 1 else "")
    module_name = prepare_import(path)
    try:
        __import__(module_name)
    except ImportError as exc:
        # as flask.cli.locate_app: an ImportError raised deeper than this frame comes from the
        # app's own imports, and its traceback is the useful part
        if exc.__traceback__ is not None and exc.__traceback__.tb_next is not None:
            raise
        raise InvalidCommand(f"Could not import {module_name!r}.") from exc
    module = sys.modules[module_name]
    try:
        if name:
            if name.isidentifier():
                attribute = getattr(module, name, None)
                if inspect.isfunction(attribute):
                    return attribute
            return find_app_by_string(module, name)
        if not any(_is_flask(value) for value in vars(module).values()):
            for factory_name in ("create_app", "make_app"):
                factory = getattr(module, factory_name, None)
                if inspect.isfunction(factory):
                    return factory
        return find_best_app(module)
    except NoAppException as exc:
        raise InvalidCommand(str(exc).strip().splitlines()[0]) from exc


class AppLoader:
    """Creates the app of one invocation at most once.

    :param path: the managers entered, root first, each with the options parsed at its level:
        ``[(manager, {dest: value}), ...]``.
    :param app: an app to use instead of the root manager's (the ``flask`` command passes its own).
    :param load_dotenv: load ``.flaskenv``/``.env`` first, as the Flask CLI does.
    :param given: the manager options given on the command line, as ``(manager, label)`` pairs
        (``label``: ``"manage.py: -c/--config"``); an option that nothing can receive (the app is
        a ready instance, or was loaded by ``flask``) is a usage error, never silently ignored.
    :param usage_error: reports a usage error and exits with status 2 (the root parser's
        ``error``); default: raise :class:`SystemExit` (2) after printing the message.
    """

    def __init__(
        self,
        path: Sequence[tuple[Manager, Mapping[str, Any]]],
        app: Flask | None = None,
        load_dotenv: bool = True,
        *,
        given: Sequence[tuple[Manager, str]] = (),
        usage_error: Callable[[str], NoReturn] | None = None,
    ) -> None:
        self.path = path
        self.override = app
        self.load_dotenv = load_dotenv
        self.given = given
        self.usage_error = usage_error or _usage_error
        self._app: Flask | None = None

    def check_options(self) -> None:
        """Fail now if a manager option was given that nothing can receive, when that is known
        without importing anything: ``flask manage``, a root app that is a ready instance, a
        sub-manager without app function. Called before any command runs, including commands
        that never create the app; an import string naming an instance is checked when the app
        is created.
        """
        root = self.path[0][0]
        if self.override is not None:
            self._refuse_options(root, _LOADED_BY_FLASK)
        elif _is_loaded_flask_instance(root.app):
            self._refuse_options(root, _READY_INSTANCE)
        for manager, _ in self.path[1:]:
            if manager.app is None or _is_loaded_flask_instance(manager.app):
                self._refuse_options(manager, _NO_APP_FUNCTION)

    def _refuse_options(self, manager: Manager, why: str) -> None:
        """Fail with a usage error if options of ``manager`` were given; ``why`` says why."""
        labels = [label for m, label in self.given if m is manager]
        if labels:
            self.usage_error(f"{', '.join(labels)} cannot be applied: {why}")

    def __call__(self) -> Flask:
        """Return the app, creating it on the first call.

        Root: a Flask instance is used as it is; a factory is called with the root manager's
        options as keyword arguments (Flask-Script 2.0's ``add_option``); an import string or, with
        no app at all, ``FLASK_APP`` (else ``wsgi.py`` or ``app.py``, as ``flask``) is imported
        first. Then each sub-manager on the path whose
        ``app`` is a callable gets ``(app, **its options)`` and a non-``None`` return value
        replaces the app below it (as Flask-Script's docs describe; the original did not).

        :raises InvalidCommand: when there is no app, or creating it fails (one line; the cause
            is chained for ``FLASK_SCRIPT_HUB_TRACEBACK=1``).
        """
        if self._app is None:
            self._app = self._create()
        return self._app

    def _create(self) -> Flask:
        root, root_options = self.path[0]
        if self.override is not None:
            self._refuse_options(root, _LOADED_BY_FLASK)
            app: Any = self.override
        else:
            if self.load_dotenv:
                from .env import dotenv_enabled, load_dotenv_files

                if dotenv_enabled():
                    load_dotenv_files()
            app = self._resolve_root(root.app, dict(root_options))
        for manager, options in self.path[1:]:
            if manager.app is None or _is_flask(manager.app):
                self._refuse_options(manager, _NO_APP_FUNCTION)
            if manager.app is None:
                continue
            if _is_flask(manager.app):
                app = manager.app
                continue
            replacement = self._call(manager.app, "sub-manager app function", app, **options)
            if replacement is not None:
                app = replacement
        if not _is_flask(app):
            raise InvalidCommand(
                f"the app factory returned {type(app).__name__!r}, not a Flask app"
            )
        return app  # type: ignore[no-any-return]

    def _resolve_root(self, spec: Any, options: dict[str, Any]) -> Any:
        if spec is None:
            # as flask.cli.ScriptInfo.load_app: FLASK_APP, else wsgi.py or app.py in the
            # working directory
            spec = os.environ.get("FLASK_APP") or next(
                (name for name in ("wsgi.py", "app.py") if os.path.isfile(name)), None
            )
            if not spec:
                raise InvalidCommand(
                    "no application: pass one to Manager(app) (an app, a factory or "
                    "'module:create_app'), set FLASK_APP, or add a 'wsgi.py' or 'app.py' file "
                    "in the current directory"
                )
        if isinstance(spec, str):
            spec = import_app_object(spec)
        if _is_flask(spec):
            self._refuse_options(self.path[0][0], _READY_INSTANCE)
            return spec
        if not callable(spec):
            raise InvalidCommand(
                f"the app is {type(spec).__name__!r}: expected a Flask app or a factory"
            )
        return self._call(spec, "app factory", **options)

    @staticmethod
    def _call(func: Callable[..., Any], what: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidCommand:
            raise
        except Exception as exc:
            name = getattr(func, "__qualname__", repr(func))
            raise InvalidCommand(f"the {what} {name}() failed: {one_line(exc)}") from exc


_LOADED_BY_FLASK = (
    "the app was loaded by the flask command (--app/FLASK_APP), not by this manager; run "
    "manage.py, or configure the app that flask loads"
)
_READY_INSTANCE = (
    "the app is a ready Flask instance, so manager options have nothing to be passed to; give "
    "Manager an app factory (Manager(create_app)) instead"
)
_NO_APP_FUNCTION = "this sub-manager has no app function to pass them to"


def _is_loaded_flask_instance(obj: object) -> bool:
    """Whether ``obj`` is a Flask app, without importing Flask (an instance means it is loaded)."""
    flask = sys.modules.get("flask")
    return flask is not None and isinstance(obj, flask.Flask)


def _usage_error(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)
