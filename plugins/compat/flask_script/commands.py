"""``flask_script.commands``: Flask-Script 2.0.6's module of commands, from flask-script-hub.

``from flask_script.commands import InvalidCommand`` (the Flask-Script docs' error handling),
``Command``, ``Option``, ``Group``, and the ready-made ``Shell``, ``Server``, ``ShowUrls`` and
``Clean`` (imported on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_script_hub import commands
from flask_script_hub.commands import Command as Command
from flask_script_hub.commands import Group as Group
from flask_script_hub.commands import InvalidCommand as InvalidCommand
from flask_script_hub.commands import Option as Option

if TYPE_CHECKING:
    from flask_script_hub.extras import Clean as Clean
    from flask_script_hub.extras import ShowUrls as ShowUrls
    from flask_script_hub.server import Server as Server
    from flask_script_hub.shell import Shell as Shell

__all__ = ["Clean", "Command", "Group", "InvalidCommand", "Option", "Server", "Shell", "ShowUrls"]


def __getattr__(name: str) -> Any:
    if name in ("Shell", "Server", "ShowUrls", "Clean"):
        return getattr(commands, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
