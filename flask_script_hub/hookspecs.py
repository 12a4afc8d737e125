"""Hook specifications of flask-script-hub plugins, and the pluggy markers. Nothing else.

A plugin is a module (or object) registered with pluggy under the project name
``flask_script_hub``. An installed distribution publishes it through an entry point of the group
``flask_script_hub``, whose name is the namespace it mounts (the plugin's
:func:`namespace_command` returns the command), or of the group ``flask_script_hub.hooks`` for a
plugin with hooks only. Each hook is documented with its exact signature, the version it appeared
in and an example in ``docs/hooks.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from .manager import Manager

PROJECT_NAME = "flask_script_hub"

#: Marks a hook specification of flask-script-hub (pluggy's ``HookspecMarker``).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Marks a plugin's hook implementation: ``@hookimpl def namespace_command(name): ...``
#: (pluggy's ``HookimplMarker``).
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def namespace_command(name: str) -> Any:
    """Return the command the core mounts under the plugin's namespace (its entry-point name).

    :param name: the namespace (``"db"``): the entry-point name, or the name given to
        ``Manager.register_plugin``.
    :returns: a sub-:class:`~flask_script_hub.Manager`, a :class:`~flask_script_hub.Command`
        (instance or class) or a click command or group. Since 0.1.0.
    """


@hookspec(historic=True)
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add the plugin's own hook specifications: ``plugin_manager.add_hookspecs(module)``.

    Historic, as pytest's ``pytest_addhooks``: called once for each plugin, when it is registered,
    so that its specs exist (and other plugins' implementations are checked against them) before
    any command runs. Since 0.1.0.
    """


@hookspec
def shell_context(app: Flask) -> dict[str, Any] | None:
    """Return names (``dict[str, object]``) to add to the namespace of ``manage.py shell``."""


@hookspec
def register_commands(manager: Manager) -> None:
    """Legacy form of :func:`namespace_command`: add one command named like the namespace.

    Kept working for plugins written against it (see ``docs/hooks.md`` for the deprecation
    policy); used only when the plugin has no ``namespace_command``.
    """
