"""``flask_script`` for old ``manage.py`` files, backed by flask-script-hub.

``from flask_script import Manager, Command, Option, Shell, Server, prompt_bool`` gives
flask-script-hub's objects (the very same classes and functions as ``flask_script_hub``), so a
Flask-Script 2.0.6 ``manage.py`` runs unchanged on Flask 3. ``flask_script.commands`` and
``flask_script.cli`` (the prompts) exist as they did in Flask-Script 2.0.6.

Importing it fails with :class:`~flask_script._guard.ConflictingFlaskScript` (an ImportError)
when a real Flask-Script distribution is installed as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flask_script_hub
from flask_script_hub import Command as Command
from flask_script_hub import Group as Group
from flask_script_hub import InvalidCommand as InvalidCommand
from flask_script_hub import Manager as Manager
from flask_script_hub import Option as Option
from flask_script_hub import prompt as prompt
from flask_script_hub import prompt_bool as prompt_bool
from flask_script_hub import prompt_choices as prompt_choices
from flask_script_hub import prompt_pass as prompt_pass

from ._guard import check_no_real_flask_script

check_no_real_flask_script()

if TYPE_CHECKING:
    from flask_script_hub import Server as Server
    from flask_script_hub import Shell as Shell

__version__ = "0.1.0"

__all__ = [
    "Command",
    "Group",
    "InvalidCommand",
    "Manager",
    "Option",
    "Server",
    "Shell",
    "prompt",
    "prompt_bool",
    "prompt_choices",
    "prompt_pass",
]


def __getattr__(name: str) -> Any:
    # Shell and Server are imported on first use, as in flask_script_hub, to keep the command
    # list of a manage.py fast.
    if name in ("Shell", "Server"):
        return getattr(flask_script_hub, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
