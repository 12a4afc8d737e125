"""flask-script-hub: Flask-Script's ``manage.py`` for Flask 3, as a plugin ecosystem.

Replace ``flask_script`` with ``flask_script_hub`` in the import line of a Flask-Script
``manage.py`` and it runs on Flask 3 and Python 3.11+. Installed packages add command namespaces
through the ``flask_script_hub`` entry-point group and the hooks in :mod:`.hookspecs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .commands import Command as Command
from .commands import Group as Group
from .commands import InvalidCommand as InvalidCommand
from .commands import Option as Option
from .context import current_app_loader as current_app_loader
from .context import current_manager as current_manager
from .manager import Manager as Manager
from .prompts import prompt as prompt
from .prompts import prompt_bool as prompt_bool
from .prompts import prompt_choices as prompt_choices
from .prompts import prompt_pass as prompt_pass

if TYPE_CHECKING:
    from .hookspecs import hookimpl as hookimpl
    from .server import Server as Server
    from .shell import Shell as Shell

__version__ = "0.1.0"

__all__ = [
    "Command",
    "Group",
    "InvalidCommand",
    "Manager",
    "Option",
    "Server",
    "Shell",
    "__version__",
    "current_app_loader",
    "current_manager",
    "hookimpl",
    "prompt",
    "prompt_bool",
    "prompt_choices",
    "prompt_pass",
]


def __getattr__(name: str) -> Any:
    # Imported on first use, to keep `manage.py --help` fast: Shell and Server are not needed to
    # list commands, and hookimpl needs pluggy (which imports importlib.metadata).
    if name == "Shell":
        from .shell import Shell

        return Shell
    if name == "Server":
        from .server import Server

        return Server
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
