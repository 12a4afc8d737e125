"""Alembic migrations for ``manage.py``, through Flask-Migrate's Python API.

Installed, the distribution mounts the namespace ``migrate`` (``manage.py migrate upgrade``).
Old Flask-Script projects that did ``from flask_migrate import MigrateCommand`` change only that
import line::

    from flask_script_hub_migrate import MigrateCommand

    manager.add_command("db", MigrateCommand)

``MigrateCommand`` behaves as Flask-Migrate 2's: ``db downgrade`` runs without asking, also
without a terminal (deploy scripts rely on it); the ``migrate`` namespace's ``downgrade`` asks.

Importing this package imports neither Flask-Migrate nor Alembic; the commands do, when they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["MigrateCommand", "make_manager"]

if TYPE_CHECKING:
    from flask_script_hub import Manager

    MigrateCommand: Manager


def make_manager() -> Manager:
    """Return a new sub-manager holding every migration command.

    Mount it under any name: ``manager.add_command("db", make_manager())``. The commands are those
    of ``flask db`` in Flask-Migrate 4, with the same options and help.

    :returns: a :class:`flask_script_hub.Manager` used as a sub-manager (no default commands).
    """
    from .commands import make_manager as _make

    return _make()


def __getattr__(name: str) -> Any:
    # ``MigrateCommand`` is built on first access, as Flask-Migrate 2's ``MigrateCommand`` was
    # a module-level Manager; building it lazily keeps ``import flask_script_hub_migrate`` cheap.
    # It behaves as Flask-Migrate 2's: `db downgrade` does not ask (the namespace's does).
    if name == "MigrateCommand":
        from .commands import make_manager as _make

        manager = _make(legacy=True)
        globals()["MigrateCommand"] = manager
        return manager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
