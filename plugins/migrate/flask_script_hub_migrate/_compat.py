"""Every use of Flask-Migrate's private API in this plugin, in one place, each with a guard.

Targets Flask-Migrate 4.0 and 4.1. When the shape differs (a new release changed it), each entry
warns once with :class:`CompatWarning` and falls back to Flask-Migrate's documented behaviour.
``plugins/migrate/tests/test_migrate_compat_guards.py`` runs the fallbacks with the private
attribute taken away.

* ``flask_migrate.<command>.__wrapped__``: Flask-Migrate's command functions (``upgrade``,
  ``downgrade``, ...) are wrapped by ``catch_errors``, which logs Alembic's ``CommandError`` and
  calls ``sys.exit(1)``; the plugin calls the wrapped function so that the error becomes one
  line naming the revision and the database's state. Fallback: the documented function; its
  ``sys.exit(1)`` becomes a one-line error pointing at Flask-Migrate's logged message.
* ``app.extensions["migrate"]``: Flask-Migrate's ``_MigrateConfig`` (``.migrate``, ``.db``,
  ``.configure_args``). Fallback: the ``Migrate`` object's own ``db`` and ``configure_args``
  (the arguments given to ``Migrate(app, db, **kwargs)``), else the app's Flask-SQLAlchemy.
* ``flask.g.directory`` / ``flask.g.x_arg``: how Flask-Migrate's ``flask db`` group hands its
  ``-d``/``-x`` options to the commands (``Migrate.get_config`` reads ``g.x_arg``). No guard is
  possible (setting attributes on ``g`` always works); the commands also pass ``directory`` and
  ``x_arg`` explicitly where Flask-Migrate's functions take them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from flask_script_hub.errors import InvalidCommand

__all__ = [
    "CompatWarning",
    "FlaskMigrateExit",
    "command_function",
    "migrate_state",
    "set_group_options",
]

FLASK_MIGRATE_TARGET = "Flask-Migrate 4.0-4.1"

_warned: set[str] = set()


class FlaskMigrateExit(Exception):
    """Flask-Migrate's ``catch_errors`` logged an error and exited (the fallback of
    :func:`command_function`)."""


class CompatWarning(RuntimeWarning):
    """Flask-Migrate's private API differs from the version this plugin targets; a documented
    fallback is used instead."""


def _fallback(what: str, consequence: str) -> None:
    if what in _warned:
        return
    _warned.add(what)
    warnings.warn(
        f"flask-script-hub-migrate: {what} is not as in {FLASK_MIGRATE_TARGET}; {consequence}",
        CompatWarning,
        stacklevel=3,
    )


def command_function(name: str) -> Callable[..., Any]:
    """Flask-Migrate's function ``name`` without its ``catch_errors`` wrapper.

    :param name: ``"upgrade"``, ``"downgrade"``, ``"stamp"``, ``"revision"``, ...
    :returns: a callable taking the function's keyword arguments; it raises the underlying
        error (Alembic's ``CommandError``, SQLAlchemy's errors) instead of exiting.
    """
    import flask_migrate

    public = getattr(flask_migrate, name)
    inner = getattr(public, "__wrapped__", None)
    if callable(inner):
        return inner  # type: ignore[no-any-return]
    _fallback(
        f"flask_migrate.{name}.__wrapped__",
        "its errors are reported as Flask-Migrate logs them, without the revision's state",
    )

    def call_public(*args: Any, **kwargs: Any) -> None:
        try:
            public(*args, **kwargs)
        except SystemExit as exc:
            if exc.code in (None, 0):
                return
            raise FlaskMigrateExit(
                f"Flask-Migrate exited with status {exc.code} (its message is above)"
            ) from None

    return call_public


def migrate_state(app: Any) -> Any:
    """The app's Flask-Migrate state: an object with ``migrate``, ``db`` and ``configure_args``.

    :param app: the Flask app, after ``Migrate(app, db)``.
    :returns: ``app.extensions["migrate"]`` when it has that shape (Flask-Migrate's
        ``_MigrateConfig``), else an equivalent built from the ``Migrate`` object.
    :raises InvalidCommand: when nothing usable is registered.
    """
    state = app.extensions.get("migrate")
    if all(hasattr(state, attr) for attr in ("migrate", "db", "configure_args")):
        return state
    _fallback(
        'app.extensions["migrate"] (_MigrateConfig)',
        "the Migrate object's own attributes are used",
    )
    migrate = getattr(state, "migrate", state)
    if not callable(getattr(migrate, "get_config", None)):
        raise InvalidCommand(
            "the app's Flask-Migrate state is not one this plugin can use "
            f"(app.extensions['migrate'] is {type(state).__name__!r})"
        )
    return _State(
        migrate,
        getattr(state, "db", None) or migrate.db or app.extensions.get("sqlalchemy"),
        dict(getattr(migrate, "configure_args", None) or {}),
    )


class _State:
    """The fallback of :func:`migrate_state`: the three attributes the plugin reads."""

    def __init__(self, migrate: Any, db: Any, configure_args: dict[str, Any]) -> None:
        self.migrate, self.db, self.configure_args = migrate, db, configure_args


def set_group_options(directory: str | None, x_arg: Any) -> None:
    """Hand the group's ``-d``/``-x`` options to Flask-Migrate's functions, as ``flask db`` does
    (on :data:`flask.g`, in the current app context)."""
    from flask import g

    g.directory = directory
    g.x_arg = x_arg
