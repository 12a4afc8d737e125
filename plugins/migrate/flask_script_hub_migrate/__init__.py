"""Alembic migrations for ``manage.py``: Flask-Migrate's own ``flask db`` commands, made safe.

Installed, the distribution mounts the namespace ``migrate`` (``manage.py migrate upgrade``, and
``flask migrate upgrade``). The commands are those of the installed Flask-Migrate's click group,
with a lock, one transaction per upgrade/downgrade, a confirmation before a downgrade and
one-line errors on top (see :mod:`flask_script_hub_migrate.commands`).

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

__all__ = ["MigrateCommand", "make_group", "make_manager"]

if TYPE_CHECKING:
    from .commands import MigrateGroup

    #: Flask-Migrate 2's ``MigrateCommand`` for old manage.py files (``manager.add_command("db",
    #: MigrateCommand)``): the click group of :func:`make_group`; ``db downgrade`` does not ask.
    MigrateCommand: MigrateGroup


def make_group(name: str = "migrate") -> MigrateGroup:
    """Return a new click group holding every ``flask db`` command of the installed Flask-Migrate.

    Mount it under any name: ``manager.add_command("schema", make_group())`` (a manager mounts
    click groups as commands), or ``app.cli.add_command(make_group("db"))``.

    :param name: the group's name (its command name when added without one).
    :returns: a :class:`~flask_script_hub_migrate.commands.MigrateGroup` (a :class:`click.Group`).
    """
    from .commands import make_group as _make

    return _make(name)


#: Earlier name of :func:`make_group` (it returned a sub-manager; it now returns the click group,
#: which ``manager.add_command`` mounts the same way).
make_manager = make_group


def __getattr__(name: str) -> Any:
    # ``MigrateCommand`` is built on first access, as Flask-Migrate 2's ``MigrateCommand`` was
    # a module-level object; building it lazily keeps ``import flask_script_hub_migrate`` cheap.
    # It behaves as Flask-Migrate 2's: `db downgrade` does not ask (the namespace's does).
    if name == "MigrateCommand":
        from .commands import make_group as _make

        group = _make("db", legacy=True)
        globals()["MigrateCommand"] = group
        return group
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
