"""Hook specifications of flask-script-hub plugins, and the pluggy markers. Nothing else.

A plugin is a module (or object) registered with pluggy under the project name
``flask_script_hub``: an installed distribution publishes it through an entry point of the group
``flask_script_hub`` whose name is the namespace it mounts. Each hook is documented with its exact
signature and an example in ``docs/hooks.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from .manager import Manager

PROJECT_NAME = "flask_script_hub"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_commands(manager: Manager) -> None:
    """Add the plugin's command or sub-manager to ``manager`` under the plugin's namespace."""


@hookspec
def shell_context(app: Flask) -> dict[str, Any] | None:
    """Return names (``dict[str, object]``) to add to the namespace of ``manage.py shell``."""
