"""The built-in ``plugins`` command: which namespaces are installed, from where, in what state."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .commands import Command, Option
from .context import current_manager
from .envvars import TRACEBACK_ENV, env_flag

if TYPE_CHECKING:
    from .plugins import PluginInfo

__all__ = ["PluginsCommand"]

COLUMNS = ("namespace", "distribution", "version", "group", "entry_point", "status")


class PluginsCommand(Command):
    """List installed plugin namespaces, their distributions and their health.

    Without options nothing is imported: the status is ``available`` (not imported yet),
    ``disabled``, ``conflict`` (two distributions claim the namespace) or ``shadowed`` (the
    manage.py registers the name itself, or a ``flask_script_hub`` plugin shadows a Flask
    extension's ``flask.commands`` entry of the same name). The GROUP column is the entry-point
    group: ``flask_script_hub`` (a plugin) or ``flask.commands`` (a click command of a Flask
    extension, run as under ``flask``). Plugins with hooks only (entry-point group
    ``flask_script_hub.hooks``) are listed under their own heading. ``--check`` imports and
    validates every plugin, showing ``loaded`` or ``error: <message>``, and exits with status 1 if
    any is broken, whatever it raised (``SystemExit`` and ``KeyboardInterrupt`` included); with
    ``FLASK_SCRIPT_HUB_TRACEBACK=1`` the traceback of each failure goes to stderr.
    """

    needs_app = False
    option_list = (
        Option(
            "--json", action="store_true", dest="as_json", help="print JSON, one object per plugin"
        ),
        Option(
            "--check",
            action="store_true",
            help="import and validate every plugin; exit 1 if any is broken",
        ),
    )

    def run(self, as_json: bool = False, check: bool = False) -> int:
        # plugin discovery is imported when the listing runs, not when manage.py registers it
        from .plugins import BROKEN, PluginStatus

        manager = current_manager()
        registry = manager.plugins
        if check:
            for info in registry.infos():
                registry.load(info, mount=True)
                if info.status == PluginStatus.ERROR and env_flag(TRACEBACK_ENV):
                    sys.stderr.write(info.traceback or "")
        infos = registry.infos(shadowing=manager.commands)
        if as_json:
            import json

            json.dump([info.as_dict() for info in infos], sys.stdout, indent=2)
            sys.stdout.write("\n")
        elif not infos:
            print(
                "No plugins installed (entry-point groups 'flask_script_hub', "
                "'flask_script_hub.hooks' and 'flask.commands')."
            )
        else:
            from .tables import print_table

            namespaces = [i for i in infos if i.kind == "namespace"]
            hooks = [i for i in infos if i.kind == "hooks"]
            if namespaces:
                print_table(_headers("namespace"), map(_row, namespaces))
            if hooks:
                if namespaces:
                    print()
                print("Plugins with hooks only (no namespace):")
                print_table(_headers("plugin"), map(_row, hooks))
        broken = [i for i in infos if i.status in BROKEN]
        return 1 if check and broken else 0


def _headers(first: str) -> list[str]:
    return [c.upper().replace("_", " ") for c in (first, *COLUMNS[1:])]


def _row(info: PluginInfo) -> tuple[str, ...]:
    from .plugins import PluginStatus

    status = str(info.status)
    if info.error and info.status in (PluginStatus.ERROR, PluginStatus.SHADOWED):
        status = f"{status}: {info.error}"
    return (
        info.namespace,
        info.distribution or "(registered in code)",
        info.version or "-",
        info.group if info.distribution else "-",
        info.value,
        status,
    )
