"""The one private API of flask-script-hub this plugin uses, with a fallback.

Targets flask-script-hub 0.1.0, whose :class:`~flask_script_hub.Manager` has no public way to
look a command up by name (``Manager._find``: own commands with ``-``/``_`` interchangeable,
then, for the root, plugin namespaces). Without it, validation before enqueueing checks command
names with the public ``Manager.command_names()`` only, and the worker still parses the whole
line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask_script_hub import Manager

__all__ = ["NAME_ONLY", "find_command"]

#: Returned by :func:`find_command` when the command exists but cannot be looked at.
NAME_ONLY = object()


def find_command(manager: Manager, name: str) -> object | None:
    """The command or sub-manager called ``name`` in ``manager``, else ``None``.

    :returns: the command object; :data:`NAME_ONLY` when only its existence can be checked.
    :raises flask_script_hub.plugins.PluginError: when ``name`` is a broken plugin's namespace.
    """
    find = getattr(manager, "_find", None)
    if callable(find):
        found: object | None = find(name)
        return found
    names = set(manager.command_names())
    candidates = {name, name.replace("-", "_"), name.replace("_", "-")}
    return NAME_ONLY if names & candidates else None
