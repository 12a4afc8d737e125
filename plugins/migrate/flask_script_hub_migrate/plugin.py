"""The pluggy plugin registered by the ``flask_script_hub`` entry point ``migrate``.

Kept light: it imports the core and click, never Flask-Migrate, Alembic or SQLAlchemy (the
group builds its commands from Flask-Migrate's when it is first used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_script_hub import hookimpl

if TYPE_CHECKING:
    from flask_script_hub import Manager

NAMESPACE = "migrate"


@hookimpl
def register_commands(manager: Manager) -> None:
    """Mount Flask-Migrate's commands under ``migrate`` (the entry point's name)."""
    from .commands import make_group

    manager.add_command(NAMESPACE, make_group(NAMESPACE))
