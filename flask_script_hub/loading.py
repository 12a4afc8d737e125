"""Finding and creating the Flask application of one invocation, once.

Like Flask's ``ScriptInfo``: the app is described (an instance, a factory, an import string, or
``FLASK_APP``) and created lazily, the first time a command needs it, then reused; ``--help``,
listing and completion never create it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .commands import InvalidCommand, one_line

if TYPE_CHECKING:
    from flask import Flask

    from .manager import Manager


def _is_flask(obj: object) -> bool:
    from flask import Flask

    return isinstance(obj, Flask)


def import_app_object(spec: str) -> object:
    """Import what an app import string names, as ``flask --app`` reads it.

    :param spec: ``"package.module:name"`` (an app or a factory),
        ``"package.module:create_app('dev')"``
        (a factory call, handed to :func:`flask.cli.locate_app`), or ``"package.module"`` (its
        ``app``/``application`` instance, else its ``create_app``/``make_app`` factory, in the
        order of Flask's ``find_best_app``). The working directory is importable, as with Flask.
    :returns: a :class:`flask.Flask` instance or a factory callable.
    :raises InvalidCommand: when the module cannot be imported or names nothing usable.
    """
    module_name, _, attr = spec.partition(":")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    if "(" in attr:
        from flask.cli import NoAppException, locate_app

        try:
            return locate_app(module_name, attr)
        except NoAppException as exc:
            raise InvalidCommand(str(exc).strip().splitlines()[0]) from exc
    try:
        import importlib

        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name != module_name.rpartition(".")[2] and exc.name != module_name:
            raise  # the app itself failed to import something: show the real traceback
        raise InvalidCommand(f"could not import {module_name!r} (from the app {spec!r})") from exc
    if attr:
        obj: object = module
        for part in attr.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise InvalidCommand(f"{module_name!r} has no attribute {attr!r}") from None
        return obj
    for name in ("app", "application"):
        if _is_flask(getattr(module, name, None)):
            return getattr(module, name)
    for name in ("create_app", "make_app"):
        if callable(getattr(module, name, None)):
            return getattr(module, name)
    raise InvalidCommand(
        f"no Flask app or factory found in {module_name!r}: "
        f"name it, e.g. '{module_name}:create_app'"
    )


class AppLoader:
    """Creates the app of one invocation at most once.

    :param path: the managers entered, root first, each with the options parsed at its level:
        ``[(manager, {dest: value}), ...]``.
    :param app: an app to use instead of the root manager's (the ``flask`` command passes its own).
    :param load_dotenv: load ``.flaskenv``/``.env`` first, as the Flask CLI does.
    """

    def __init__(
        self,
        path: Sequence[tuple[Manager, Mapping[str, Any]]],
        app: Flask | None = None,
        load_dotenv: bool = True,
    ) -> None:
        self.path = path
        self.override = app
        self.load_dotenv = load_dotenv
        self._app: Flask | None = None

    def __call__(self) -> Flask:
        """Return the app, creating it on the first call.

        Root: a Flask instance is used as it is; a factory is called with the root manager's
        options as keyword arguments (Flask-Script 2.0's ``add_option``); an import string or, with
        no app at all, ``FLASK_APP`` is imported first. Then each sub-manager on the path whose
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
            app: Any = self.override
        else:
            if self.load_dotenv:
                from .env import dotenv_enabled, load_dotenv_files

                if dotenv_enabled():
                    load_dotenv_files()
            app = self._resolve_root(root.app, dict(root_options))
        for manager, options in self.path[1:]:
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
            spec = os.environ.get("FLASK_APP")
            if not spec:
                raise InvalidCommand(
                    "no application: pass one to Manager(app) (an app, a factory or "
                    "'module:create_app'), or set FLASK_APP"
                )
        if isinstance(spec, str):
            spec = import_app_object(spec)
        if _is_flask(spec):
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
