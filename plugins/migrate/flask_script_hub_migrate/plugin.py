"""The pluggy plugin registered by the ``flask_script_hub`` entry point ``migrate``.

Kept light: it imports the core and this package's command classes, never Flask-Migrate, Alembic
or SQLAlchemy (the commands import those when they run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_script_hub import hookimpl

if TYPE_CHECKING:
    from flask_script_hub import Manager

NAMESPACE = "migrate"


@hookimpl
def register_commands(manager: Manager) -> None:
    """Mount the migration sub-manager under ``migrate`` (the entry point's name)."""
    from .commands import make_manager

    manager.add_command(NAMESPACE, make_manager())
