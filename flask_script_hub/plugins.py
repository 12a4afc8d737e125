"""Plugin discovery, lazy loading, listing and failure isolation.

An installed plugin is an entry point of the group ``flask_script_hub`` (as pytest's ``pytest11``
or Flask's ``flask.commands``): its *name* is the namespace it mounts (``db``), its *value* the
module pluggy registers, whose ``namespace_command`` hook returns the command mounted under that
name. A plugin with hooks only (``shell_context``, ...) is an entry point of the group
``flask_script_hub.hooks``: it mounts nothing. Listing namespaces reads entry-point metadata only;
a plugin module is imported when its namespace is invoked, or when a hook must ask every plugin
(``shell``).

The click commands that Flask extensions publish in Flask's own ``flask.commands`` group are
namespaces too (mounted through :class:`~flask_script_hub.flask_cli.ClickCommand`), with a lower
precedence: a ``flask_script_hub`` plugin of the same name shadows them, and the listing says so.
Entry points that point at :mod:`flask_script_hub.namespaces` (the way a plugin makes its
namespace reachable under ``flask``) are skipped: they are plugins' own namespaces.

A plugin that fails (any exception, ``SystemExit`` and ``KeyboardInterrupt`` included, raised at
import or in a hook, or a hook that does not match its spec) never breaks the others: it is listed
with its error, and invoking it raises :class:`PluginError` (one line, exit 1). What a plugin prints
on stdout while it loads goes to stderr, so that ``plugins --json`` stays valid JSON. A Ctrl-C of
the user while plugin code runs still stops ``manage.py`` (see
:class:`~flask_script_hub.isolation.PluginCode`).
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .commands import InvalidCommand, one_line
from .entrypoints import EntryPointRecord, entry_points
from .envvars import DISABLE_AUTOLOAD_ENV, DISABLE_PLUGINS_ENV, TRACEBACK_ENV, env_flag, env_list
from .manager import Manager

if TYPE_CHECKING:
    from .pluginmanager import HubPluginManager

__all__ = [
    "DISABLE_AUTOLOAD_ENV",
    "DISABLE_PLUGINS_ENV",
    "ENTRY_POINT_GROUP",
    "FLASK_COMMANDS_GROUP",
    "HOOKS_GROUP",
    "PluginError",
    "PluginInfo",
    "PluginRegistry",
    "PluginStatus",
]

#: The entry-point group of plugins: each entry point's name is the namespace it mounts.
ENTRY_POINT_GROUP = "flask_script_hub"
#: The entry-point group of plugins with hooks only (no namespace): the name is the plugin's name.
HOOKS_GROUP = "flask_script_hub.hooks"
#: Flask's entry-point group of click commands (the commands of Flask extensions).
FLASK_COMMANDS_GROUP = "flask.commands"
#: The module whose attributes are lazy click groups of plugin namespaces, for ``flask``.
NAMESPACES_MODULE = "flask_script_hub.namespaces"


class PluginStatus(enum.StrEnum):
    """The state of a plugin, as ``manage.py plugins`` shows it.

    A ``str`` enum: a member equals its value (``PluginStatus.ERROR == "error"``) and
    ``--json`` writes the value.
    """

    #: installed, not imported yet
    AVAILABLE = "available"
    #: imported and registered
    LOADED = "loaded"
    #: failed: at import, in its hook, or a hook that does not match its spec
    ERROR = "error"
    #: two distributions of the same entry-point group claim the namespace
    CONFLICT = "conflict"
    #: not loaded, by ``FLASK_SCRIPT_HUB_DISABLE_PLUGINS`` or the manager's arguments
    DISABLED = "disabled"
    #: the manage.py, or a ``flask_script_hub`` plugin, uses the name
    SHADOWED = "shadowed"


AVAILABLE = PluginStatus.AVAILABLE
LOADED = PluginStatus.LOADED
ERROR = PluginStatus.ERROR
CONFLICT = PluginStatus.CONFLICT
DISABLED = PluginStatus.DISABLED
SHADOWED = PluginStatus.SHADOWED
#: the statuses that make ``plugins --check`` exit 1
BROKEN = frozenset({PluginStatus.ERROR, PluginStatus.CONFLICT})


class PluginError(InvalidCommand):
    """A plugin namespace cannot be used: it failed, conflicts with another, or is disabled.

    A subclass of :class:`~flask_script_hub.InvalidCommand`: the manager prints the message as one
    line on stderr and exits with status 1.
    """


def _normalize(name: str) -> str:
    """Normalize a distribution name as PEP 503 does (``Flask_Hub`` -> ``flask-hub``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginInfo:
    """What is known of one plugin, for listing and loading.

    The distribution's name, version and summary come with the entry point
    (:class:`~flask_script_hub.entrypoints.EntryPointRecord`, from the on-disk entry-point cache
    or the distribution's metadata): nothing is parsed when they are shown.

    :param namespace: the command name it mounts (the entry-point name).
    :param value: the entry point's value (``"package.module"``), or the registered object's name.
    :param status: a :class:`PluginStatus`.
    :param error: the one-line error for ``error`` (and the reason for ``disabled``/``conflict``).
    :param group: the entry-point group it comes from: ``flask_script_hub`` (a plugin),
        ``flask_script_hub.hooks`` (a plugin with hooks only) or ``flask.commands`` (a Flask
        extension's click command).
    :param entry_point: the installed entry point (``None`` when registered in code).
    :param hooks_only: for a plugin registered in code: it has no command hook.
    """

    # A plain class rather than a dataclass: importing dataclasses (and inspect) would cost
    # every manage.py start-up more than the rest of plugin discovery (bench/).
    _FIELDS = ("namespace", "value", "group", "status", "error", "traceback", "hooks_only")

    def __init__(
        self,
        namespace: str,
        value: str,
        group: str = ENTRY_POINT_GROUP,
        status: PluginStatus = AVAILABLE,
        error: str | None = None,
        traceback: str | None = None,
        exception: BaseException | None = None,
        hooks_only: bool = False,
        entry_point: EntryPointRecord | None = None,
        plugin: object | None = None,
        command: object | None = None,
    ) -> None:
        self.namespace = namespace
        self.value = value
        self.group = group
        self.status = status
        self.error = error
        self.traceback = traceback
        self.exception = exception
        self.hooks_only = hooks_only
        self.entry_point = entry_point
        self.plugin = plugin
        self.command = command

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"PluginInfo({fields})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginInfo):
            return NotImplemented
        names = (*self._FIELDS, "entry_point", "plugin", "command")
        return all(getattr(self, n) == getattr(other, n) for n in names)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass

    @property
    def distribution(self) -> str | None:
        """The distribution that publishes the plugin (``None`` when registered in code)."""
        return None if self.entry_point is None else self.entry_point.distribution

    @property
    def version(self) -> str | None:
        """That distribution's version."""
        return None if self.entry_point is None else self.entry_point.version

    @property
    def summary(self) -> str:
        """The distribution's one-line Summary (metadata only: the plugin is not imported)."""
        if self.entry_point is not None:
            return self.entry_point.summary
        doc = getattr(self.plugin, "__doc__", None) if self.plugin is not None else None
        return (doc or "").strip().partition("\n")[0]

    @property
    def kind(self) -> str:
        """``"namespace"`` (it mounts a command) or ``"hooks"`` (hooks only, no command)."""
        return "hooks" if self.hooks_only or self.group == HOOKS_GROUP else "namespace"

    def as_dict(self) -> dict[str, str | None]:
        """The fields shown by ``manage.py plugins --json``."""
        return {
            "namespace": self.namespace,
            "kind": self.kind,
            "distribution": self.distribution,
            "version": self.version,
            "entry_point": self.value,
            "group": self.group,
            "status": self.status.value,
            "error": self.error,
            "summary": self.summary,
        }


def _origin(info: PluginInfo) -> str:
    """``"<distribution> <version>"`` of an entry point, or its value when registered in code."""
    return f"{info.distribution} {info.version}" if info.distribution else info.value


class PluginRegistry:
    """The plugins of one root :class:`~flask_script_hub.Manager`.

    :param owner: the root manager.
    :param only: namespaces or distribution names to autoload; ``None`` for all installed.
    :param disabled: namespaces or distribution names never to load (added to those of the
        ``FLASK_SCRIPT_HUB_DISABLE_PLUGINS`` environment variable).
    """

    def __init__(
        self,
        owner: Manager,
        only: Sequence[str] | None = None,
        disabled: Sequence[str] | None = None,
    ) -> None:
        self.owner = owner
        self.only = None if only is None else {_normalize(n) for n in only}
        self.disabled = {_normalize(n) for n in (disabled or ())}
        self._installed: dict[str, list[PluginInfo]] | None = None
        self._hook_plugins: list[PluginInfo] = []
        self._registered: dict[str, PluginInfo] = {}
        self._pm: HubPluginManager | None = None

    # -- pluggy -----------------------------------------------------------------------------
    @property
    def plugin_manager(self) -> HubPluginManager:
        """The pluggy plugin manager, created on first use with the core hookspecs."""
        if self._pm is None:
            from .pluginmanager import HubPluginManager

            self._pm = HubPluginManager()
        return self._pm

    def _register(self, plugin: object, name: str) -> None:
        """Register with pluggy, all or nothing, then blame plugins whose early hooks mismatch.

        Registering runs the plugin's ``add_hookspecs`` (historic); an exception there leaves
        the plugin half registered in pluggy, so it is unregistered before the exception goes on.
        """
        pm = self.plugin_manager
        try:
            pm.register(plugin, name=name)
        except BaseException:
            if pm.get_plugin(name) is plugin:
                pm.unregister(name=name)
            raise
        finally:
            self._collect_rejected()

    def _collect_rejected(self) -> None:
        from .pluginmanager import validation_message

        pm = self.plugin_manager
        while pm.rejected:
            name, plugin, exc = pm.rejected.pop(0)
            for info in self._all_infos():
                if info.plugin is plugin:
                    info.status, info.error, info.exception = ERROR, validation_message(exc), exc
                    break
            else:
                print(
                    f"warning: plugin {name} unregistered: {validation_message(exc)}",
                    file=sys.stderr,
                )

    def _all_infos(self) -> Iterator[PluginInfo]:
        yield from self._registered.values()
        for infos in (self._installed or {}).values():
            yield from infos
        yield from self._hook_plugins

    # -- discovery --------------------------------------------------------------------------
    def _disabled_reason(self, info: PluginInfo) -> str | None:
        env = {_normalize(n) for n in env_list(DISABLE_PLUGINS_ENV)}
        if not (env or self.disabled or self.only is not None):
            return None  # the usual case
        names = {_normalize(info.namespace)}
        if info.distribution:
            names.add(_normalize(info.distribution))
        if names & env:
            return f"disabled by {DISABLE_PLUGINS_ENV}"
        if names & self.disabled:
            return "disabled by the manager's disable_plugins"
        if self.only is not None and not names & self.only:
            return "not in the manager's plugins list"
        return None

    def installed(self) -> dict[str, list[PluginInfo]]:
        """Installed plugins by namespace, from entry-point metadata (nothing is imported).

        Plugins with hooks only (group ``flask_script_hub.hooks``) are not namespaces: see
        :meth:`hook_plugins`.

        The entry points come from :func:`flask_script_hub.entrypoints.entry_points` (the on-disk
        cache when the installed distributions have not changed).

        :returns: ``{namespace: [PluginInfo, ...]}``; more than one entry is a conflict.
        """
        if self._installed is None:
            self._installed = {}
            if env_flag(DISABLE_AUTOLOAD_ENV):
                return self._installed
            # one scan of the distributions (or one read of the cache) for the three groups
            groups = (ENTRY_POINT_GROUP, HOOKS_GROUP, FLASK_COMMANDS_GROUP)
            for ep in entry_points(groups):
                if ep.group == FLASK_COMMANDS_GROUP and ep.module == NAMESPACES_MODULE:
                    continue  # a plugin's own namespace, made reachable under `flask`
                self._add(
                    PluginInfo(namespace=ep.name, value=ep.value, group=ep.group, entry_point=ep)
                )
            for infos in self._installed.values():
                self._resolve_clash(infos)
        return self._installed

    def hook_plugins(self) -> list[PluginInfo]:
        """Installed plugins with hooks only (entry-point group ``flask_script_hub.hooks``)."""
        self.installed()
        return list(self._hook_plugins)

    def _add(self, info: PluginInfo) -> None:
        assert self._installed is not None
        reason = self._disabled_reason(info)
        if reason:
            info.status, info.error = DISABLED, reason
        if info.group == HOOKS_GROUP:
            self._hook_plugins.append(info)
            return
        self._installed.setdefault(info.namespace, []).append(info)

    @staticmethod
    def _resolve_clash(infos: list[PluginInfo]) -> None:
        """Apply the precedence rule to the entry points that claim one name.

        A ``flask_script_hub`` plugin shadows ``flask.commands`` entries (status ``shadowed``,
        naming both distributions); two entries of the winning group are a ``conflict``.
        """
        active = [i for i in infos if i.status != DISABLED]
        if len(active) <= 1:
            return
        plugins = [i for i in active if i.group == ENTRY_POINT_GROUP]
        winners = plugins or active
        if plugins:
            winner = " and ".join(_origin(i) for i in plugins)
            for info in active:
                if info.group != ENTRY_POINT_GROUP:
                    info.status = SHADOWED
                    info.error = (
                        f"shadowed by the {ENTRY_POINT_GROUP} plugin of {winner} "
                        f"(this {FLASK_COMMANDS_GROUP} entry point is from {_origin(info)})"
                    )
        if len(winners) > 1:
            names = " and ".join(_origin(i) for i in winners)
            for info in winners:
                info.status = CONFLICT
                info.error = f"claimed by {names}"
        infos.sort(key=lambda i: i.group != ENTRY_POINT_GROUP)

    def register(self, plugin: object, name: str | None = None) -> PluginInfo:
        """Register a plugin object or module in code, without installing it.

        Used exactly as an installed plugin whose entry-point name is ``name``: its
        ``namespace_command`` (or legacy ``register_commands``) gives the command mounted under
        ``name``; a plugin with neither hook is a plugin with hooks only, and mounts nothing. Its
        ``add_hookspecs`` hook runs now.

        :param plugin: a module or object with ``@hookimpl`` functions.
        :param name: its namespace; defaults to the last part of the module's ``__name__`` or the
            object's class name, lowercased.
        :returns: the plugin's :class:`PluginInfo`.
        :raises pluggy.PluginValidationError: when a hook implementation does not match its spec.
        :raises ValueError: when the name is already registered.
        """
        if name is None:
            name = getattr(plugin, "__name__", type(plugin).__name__).rpartition(".")[2].lower()
        if name in self._registered:
            raise ValueError(f"a plugin is already registered as {name!r}")
        self._register(plugin, name)
        pm = self.plugin_manager
        command_hooks = (pm.hook.namespace_command, pm.hook.register_commands)
        info = PluginInfo(
            namespace=name,
            value=getattr(plugin, "__name__", type(plugin).__name__),
            status=LOADED,
            plugin=plugin,
            hooks_only=not any(self._own(hook, plugin) for hook in command_hooks),
        )
        self._registered[name] = info
        return info

    def infos(self, shadowing: Iterable[str] = ()) -> list[PluginInfo]:
        """Every plugin known, for listing, sorted by namespace (hooks-only plugins included).

        :param shadowing: names the manager registered itself; plugins with those names are
            marked ``shadowed`` (the manager's own command wins).
        """
        shadowing = set(shadowing)
        result = list(self._registered.values())
        for infos in self.installed().values():
            result.extend(infos)
        result.extend(self._hook_plugins)
        for info in result:
            if (
                info.kind == "namespace"
                and info.namespace in shadowing
                and info.status in (AVAILABLE, LOADED)
            ):
                info.status = SHADOWED
                info.error = "the manage.py registers this name itself"
        return sorted(
            result,
            key=lambda i: (i.namespace, i.group != ENTRY_POINT_GROUP, i.distribution or ""),
        )

    def namespaces(self) -> dict[str, PluginInfo]:
        """The namespaces a plugin could be invoked under (first plugin of each), by name.

        Plugins with hooks only are not namespaces: they are never offered as a command word.
        """
        result: dict[str, PluginInfo] = {}
        for name, infos in self.installed().items():
            usable = (i for i in infos if i.status not in (DISABLED, SHADOWED))
            result[name] = next(usable, infos[0])
        result.update((n, i) for n, i in self._registered.items() if i.kind == "namespace")
        return result

    # -- loading ----------------------------------------------------------------------------
    def get_command(self, namespace: str) -> object | None:
        """Import the plugin of ``namespace`` (and no other) and return the command it mounts.

        :returns: the :class:`~flask_script_hub.Command` or sub-:class:`~flask_script_hub.Manager`,
            or ``None`` when no plugin has that namespace.
        :raises PluginError: when the plugin conflicts, is disabled or fails; its cause is the
            plugin's own exception (its traceback, with ``FLASK_SCRIPT_HUB_TRACEBACK=1``).
        """
        info = self._registered.get(namespace)
        if info is not None and info.kind == "hooks":
            return None
        if info is None:
            infos = self.installed().get(namespace)
            if not infos:
                return None
            active = [i for i in infos if i.status not in (DISABLED, SHADOWED)]
            if not active:
                raise PluginError(
                    f"the {namespace!r} plugin ({infos[0].distribution}) is {infos[0].error}"
                )
            info = active[0]
            if info.status == CONFLICT:
                dists = ", ".join(i.distribution or "?" for i in active)
                raise PluginError(
                    f"the namespace {namespace!r} is {info.error}; uninstall one, or disable one "
                    f"with {DISABLE_PLUGINS_ENV}=<distribution> (one of: {dists})"
                )
        self.load(info, mount=True)
        if info.status == ERROR:
            raise PluginError(self.describe_error(info)) from info.exception
        return info.command

    def describe_error(self, info: PluginInfo) -> str:
        """One line naming the plugin, its distribution and its error."""
        origin = f"{info.distribution} {info.version}" if info.distribution else info.value
        hint = (
            ""
            if env_flag(TRACEBACK_ENV)
            else " (set FLASK_SCRIPT_HUB_TRACEBACK=1 for the traceback)"
        )
        return f"the {info.namespace!r} plugin from {origin} failed: {info.error}{hint}"

    def warn(self, info: PluginInfo) -> None:
        """Print a failed plugin's error as a warning line on stderr, and its traceback when
        ``FLASK_SCRIPT_HUB_TRACEBACK`` is on."""
        if env_flag(TRACEBACK_ENV) and info.traceback:
            sys.stderr.write(info.traceback)
        print(f"warning: {self.describe_error(info)}", file=sys.stderr)

    def load(self, info: PluginInfo, mount: bool = False) -> None:
        """Import and register a plugin; with ``mount``, also collect its command.

        Failures are recorded on ``info`` (status ``error``, one-line message, traceback), never
        raised, so that one plugin cannot break the others: any exception, ``SystemExit`` and a
        ``KeyboardInterrupt`` the plugin raises itself included. A Ctrl-C of the user is raised.
        What the plugin prints on stdout meanwhile is written to stderr.
        """
        if info.status in (ERROR, DISABLED, CONFLICT):
            return
        from .isolation import PluginCode

        guard = PluginCode()
        try:
            with guard:
                if info.group == FLASK_COMMANDS_GROUP:
                    self._load_click_command(info, mount)
                    return
                if info.plugin is None:
                    assert info.entry_point is not None
                    plugin = info.entry_point.load()
                    self._register(plugin, f"{info.namespace}:{info.distribution}")
                    info.plugin = plugin
                    info.status = LOADED
                if mount and info.command is None and info.kind == "namespace":
                    info.command = self._collect_command(info)
        except BaseException as exc:
            if guard.users(exc):
                raise
            import pluggy

            from .pluginmanager import validation_message

            message = (
                validation_message(exc)
                if isinstance(exc, pluggy.PluginValidationError)
                else one_line(exc)
            )
            self._fail(info, message, exc)

    @staticmethod
    def _load_click_command(info: PluginInfo, mount: bool) -> None:
        """Import a ``flask.commands`` entry point: a click command, mounted as a ClickCommand."""
        from .flask_cli import ClickCommand, is_click_command

        if info.plugin is None:
            assert info.entry_point is not None
            command = info.entry_point.load()
            if not is_click_command(command):
                kind = type(command).__name__
                raise PluginError(f"{info.value} is a {kind}, not a click command")
            info.plugin = command
            info.status = LOADED
        if mount and info.command is None:
            info.command = ClickCommand(info.plugin)  # type: ignore[arg-type]

    def _fail(self, info: PluginInfo, message: str, exc: BaseException) -> None:
        import traceback

        info.status = ERROR
        info.error = message
        info.exception = exc
        info.traceback = "".join(traceback.format_exception(exc))
        pm = self.plugin_manager
        if info.plugin is not None and pm.is_registered(info.plugin):
            pm.unregister(info.plugin)

    @staticmethod
    def _own(hook: Any, plugin: object) -> bool:
        return any(impl.plugin is plugin for impl in hook.get_hookimpls())

    def _collect_command(self, info: PluginInfo) -> object | None:
        """Call the plugin's ``namespace_command`` alone and mount what it returns.

        A plugin without it, but with the legacy ``register_commands``, is called the old way and
        must register exactly one command named like its namespace.
        """
        pm = self.plugin_manager
        others = [p for p in pm.get_plugins() if p is not info.plugin]
        collector = Manager(with_default_commands=False)
        if self._own(pm.hook.namespace_command, info.plugin):
            caller = pm.subset_hook_caller("namespace_command", remove_plugins=others)
            command = caller(name=info.namespace)
            if command is None:
                raise PluginError("namespace_command returned None")
            try:
                collector.add_command(info.namespace, command)
            except TypeError:
                kind = type(command).__name__
                raise PluginError(
                    f"namespace_command returned a {kind}, not a Command, a Manager or a click "
                    "command"
                ) from None
            return collector.commands[info.namespace]  # type: ignore[no-any-return]
        if not self._own(pm.hook.register_commands, info.plugin):
            raise PluginError(
                f"the {info.namespace!r} plugin has no namespace_command hook (a plugin with "
                f"hooks only is published in the {HOOKS_GROUP!r} entry-point group)"
            )
        pm.subset_hook_caller("register_commands", remove_plugins=others)(manager=collector)
        names = list(collector.commands)
        if not names:
            raise PluginError("register_commands registered no command")
        if names != [info.namespace]:
            raise PluginError(
                f"register_commands registered {', '.join(map(repr, names))}; "
                f"its entry point is {info.namespace!r}"
            )
        command = collector.commands[info.namespace]
        if not hasattr(command, "create_parser") and not isinstance(command, Manager):
            raise PluginError(f"registered {type(command).__name__!r}, which is not a command")
        return command  # type: ignore[no-any-return]

    def load_all(self) -> Iterator[PluginInfo]:
        """Import every enabled, unambiguous plugin; yield each (failed ones included)."""
        yield from self._registered.values()
        for info in self._installed_plugins():
            if info.status in (AVAILABLE, LOADED):
                self.load(info)
            if info.status != DISABLED:
                yield info

    def _installed_plugins(self) -> Iterator[PluginInfo]:
        """Installed pluggy plugins (namespaces and hooks-only), not Flask's click commands."""
        for infos in list(self.installed().values()):
            yield from (i for i in infos if i.group == ENTRY_POINT_GROUP)
        yield from self._hook_plugins

    def call_hook(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call ``hook_name`` on every plugin, each alone, so that a failing one is skipped.

        A failing implementation (any exception, ``SystemExit`` and a ``KeyboardInterrupt`` it
        raises itself included) is a one-line warning on stderr; a Ctrl-C of the user is raised.

        :param hook_name: the hook (a core hook or one a plugin added with ``add_hookspecs``).
        :param kwargs: the hook's arguments.
        :returns: the non-``None`` results, in pluggy's call order.
        """
        for info in list(self.load_all()):
            if info.status == ERROR:
                self.warn(info)
        pm = self.plugin_manager
        hook = getattr(pm.hook, hook_name, None)
        if hook is None:
            return []
        from .isolation import PluginCode

        results: list[Any] = []
        for impl in reversed(hook.get_hookimpls()):  # pluggy calls the last registered first
            others = [p for p in pm.get_plugins() if p is not impl.plugin]
            guard = PluginCode(capture=False)
            try:
                with guard:
                    result = pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
            except BaseException as exc:
                if guard.users(exc):
                    raise
                if env_flag(TRACEBACK_ENV):
                    import traceback

                    traceback.print_exception(exc)
                name = pm.get_name(impl.plugin)
                print(
                    f"warning: plugin {name} failed in {hook_name}: {one_line(exc)}",
                    file=sys.stderr,
                )
                continue
            results.extend(r for r in result if r is not None)
        return results
