"""The pluggy plugin manager of flask-script-hub: pluggy's, with hookspecs that plugins add.

Imported when a plugin or a hook is first needed (it imports pluggy). Plugins add hook
specifications of their own from their ``add_hookspecs`` hook, which is historic (as pytest's
``pytest_addhooks``): it is called for every plugin when it is registered, so a plugin's specs are
known, and the implementations of other plugins checked against them, at registration.
"""

from __future__ import annotations

from typing import Any

import pluggy

from . import hookspecs

__all__ = ["HubPluginManager", "validation_message"]


class HubPluginManager(pluggy.PluginManager):
    """A :class:`pluggy.PluginManager` for the project name ``flask_script_hub``.

    It holds the core hookspecs (:mod:`flask_script_hub.hookspecs`) and has already called the
    historic ``add_hookspecs`` hook, so that each plugin adds its own specs when it is registered.
    Two differences from pluggy's :meth:`~pluggy.PluginManager.add_hookspecs`, so that the blame
    for a mismatch falls on the right plugin:

    - adding the specs of a module or class a second time does nothing (a plugin registered again
      adds its specs again);
    - an implementation registered *before* its spec was known (pluggy accepts it unchecked) is
      checked when the spec arrives: its plugin is registered again, and if it does not match, the
      plugin is unregistered and recorded in :attr:`rejected` instead of failing the plugin that
      added the spec.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self._spec_sources: list[object] = []
        #: ``[(name, plugin, error)]``: plugins unregistered because an implementation registered
        #: before its spec did not match it (``error`` is a :class:`pluggy.PluginValidationError`).
        self.rejected: list[tuple[str, object, pluggy.PluginValidationError]] = []
        self.add_hookspecs(hookspecs)
        self.hook.add_hookspecs.call_historic(kwargs={"plugin_manager": self})

    def add_hookspecs(self, module_or_class: Any) -> None:
        """Add the hook specifications of ``module_or_class`` (once; see the class).

        :param module_or_class: a module or class with ``@hookspec`` functions, marked with
            ``pluggy.HookspecMarker("flask_script_hub")``.
        :raises ValueError: when it has no hook specification (as pluggy).
        :raises pluggy.PluginValidationError: never for implementations registered earlier (they
            are rejected, see :attr:`rejected`).
        """
        if any(source is module_or_class for source in self._spec_sources):
            return
        early: dict[str, object] = {}
        for name in dir(module_or_class):
            if self.parse_hookspec_opts(module_or_class, name) is None:
                continue
            caller = getattr(self.hook, name, None)
            if caller is not None and not caller.has_spec():
                for impl in caller.get_hookimpls():
                    early[impl.plugin_name] = impl.plugin
        for plugin_name in early:
            self.unregister(name=plugin_name)
        super().add_hookspecs(module_or_class)
        self._spec_sources.append(module_or_class)
        for plugin_name, plugin in early.items():
            try:
                self.register(plugin, name=plugin_name)
            except pluggy.PluginValidationError as exc:
                if self.get_plugin(plugin_name) is plugin:  # older pluggy: half registered
                    self.unregister(name=plugin_name)
                self.rejected.append((plugin_name, plugin, exc))


def validation_message(exc: BaseException) -> str:
    """pluggy's multi-line :class:`~pluggy.PluginValidationError` message, on one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {'; '.join(lines)}"
