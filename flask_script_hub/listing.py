"""The built-in ``plugins`` command: which namespaces are installed, from where, in what state."""

from __future__ import annotations

import sys
from typing import Any

from .commands import Command, Option
from .context import current_manager

__all__ = ["PluginsCommand"]

COLUMNS = ("namespace", "distribution", "version", "group", "entry_point", "status")


class PluginsCommand(Command):
    """List installed plugin namespaces, their distributions and their health.

    Without options nothing is imported: the status is ``available`` (not imported yet),
    ``disabled``, ``conflict`` (two distributions claim the namespace) or ``shadowed`` (the
    manage.py registers the name itself, or a ``flask_script_hub`` plugin shadows a Flask
    extension's ``flask.commands`` entry of the same name). The GROUP column is the entry-point
    group: ``flask_script_hub`` (a plugin) or ``flask.commands`` (a click command of a Flask
    extension, run as under ``flask``). ``--check`` imports and validates every plugin, showing
    ``loaded`` or ``error: <message>``, and exits with status 1 if any is broken.
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
        manager = current_manager()
        registry = manager.plugins
        if check:
            for info in registry.infos():
                registry.load(info, mount=True)
        infos = registry.infos(shadowing=manager.commands)
        if as_json:
            import json

            json.dump([info.as_dict() for info in infos], sys.stdout, indent=2)
            sys.stdout.write("\n")
        elif not infos:
            print(
                "No plugins installed (entry-point groups 'flask_script_hub' and 'flask.commands')."
            )
        else:
            rows: list[tuple[Any, ...]] = [tuple(c.upper().replace("_", " ") for c in COLUMNS)]
            for info in infos:
                status = info.status
                if info.error and status in ("error", "shadowed"):
                    status = f"{status}: {info.error}"
                rows.append(
                    (
                        info.namespace,
                        info.distribution or "(registered in code)",
                        info.version or "-",
                        info.group if info.distribution else "-",
                        info.value,
                        status,
                    )
                )
            widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS) - 1)]
            for row in rows:
                cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
                print("  ".join([*cells, str(row[-1])]))
        broken = [i for i in infos if i.status in ("error", "conflict")]
        return 1 if check and broken else 0
