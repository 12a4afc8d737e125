"""The pluggy plugin registered by the ``flask_script_hub`` entry point ``migrate``.

Kept light: it imports the core and click, never Flask-Migrate, Alembic or SQLAlchemy (the
group builds its commands from Flask-Migrate's when it is first used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_script_hub import hookimpl

if TYPE_CHECKING:
    from .commands import MigrateGroup

NAMESPACE = "migrate"


@hookimpl
def namespace_command(name: str) -> MigrateGroup:
    """Flask-Migrate's commands, as a click group mounted under the entry point's name."""
    from .commands import make_group

    return make_group(name)
