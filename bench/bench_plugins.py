#!/usr/bin/env python3
"""What an unused plugin costs: manage.py with 1, 10 and 100 installed plugins vs ``flask``.

Builds N plugin wheels of each kind (pure Python, no network) and installs each set with one
``pip install --no-deps --no-index --target DIR``; a run puts DIR on ``PYTHONPATH``, which
``importlib.metadata`` scans exactly as it scans a venv's site-packages:

* flask-script-hub plugins: entry point ``pluginNNN = fsh_plugin_NNN.plugin`` in the group
  ``flask_script_hub``, a sub-manager with a ``hello`` command;
* Flask CLI plugins: the same click group ``pluginNNN`` in ``flask.commands`` (as
  ``../shared/bench/gen_flask_plugins.py`` makes them).

``--import-cost-ms`` makes every plugin module busy-wait at import, like a plugin that imports
heavy libraries. Medians of ``--runs`` runs, same machine, same run:

* ``manage.py --help``, ``manage.py plugin001 hello`` and a completion request of the first word,
  for N = 1, 10, 100 (target: 100 within 1.15x of 1);
* ``flask --help`` with the 100 Flask CLI plugins (target: manage.py --help at most 0.5x of it).

Run: ``python bench/bench_plugins.py`` (``--counts 1 10 100 --runs 15 --import-cost-ms 0``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from timing import HEADER, Measure, run_all

from flask_script_hub.testing import build_wheel

COST = """\
_cost_ms = {cost_ms}
if _cost_ms:
    import time

    _end = time.perf_counter() + _cost_ms / 1000.0
    while time.perf_counter() < _end:
        pass
"""

HUB_PLUGIN = '''\
"""flask-script-hub plugin number {nn}."""
{cost}
from flask_script_hub import Manager, hookimpl

commands = Manager(help="Commands from fsh-plugin-{nn}.")


@commands.command
def hello():
    """Say hello (in the app context)."""
    print("hello from plugin{nn}")


@hookimpl
def register_commands(manager):
    manager.add_command("plugin{nn}", commands)
'''

FLASK_PLUGIN = '''\
"""Flask CLI plugin number {nn}."""
{cost}
import click
from flask.cli import with_appcontext


@click.group("plugin{nn}")
def cli():
    """Commands from flask-plugin-{nn}."""


@cli.command()
@with_appcontext
def hello():
    """Say hello (in the app context)."""
    click.echo("hello from plugin{nn}")
'''

APP = """\
from flask import Flask

def create_app():
    return Flask("benchapp")
"""

MANAGE = """\
# PYTHON_ARGCOMPLETE_OK
from flask_script_hub import Manager

manager = Manager("myapp:create_app")

if __name__ == "__main__":
    manager.run()
"""


def wheel(out: Path, dist: str, module: str, source: str, group: str, entry: str) -> Path:
    """Write a pure-Python wheel with one module and one entry point (``"name = value"``)."""
    name, _, value = (part.strip() for part in entry.partition("="))
    return build_wheel(
        out,
        dist,
        "0.1.0",
        files={f"{module}/plugin.py": source},
        entry_points={group: {name: value}},
        summary=f"Plugin {dist}",
    )


def install(kind: str, count: int, cost_ms: int, root: Path) -> Path:
    """Build ``count`` plugin wheels of ``kind`` ("hub" or "flask") and install them in one go."""
    target = root / f"{kind}-{count}"
    wheels_dir = root / f"wheels-{kind}-{count}"
    wheels_dir.mkdir()
    cost = COST.format(cost_ms=cost_ms)
    wheels = []
    for i in range(1, count + 1):
        nn = f"{i:03d}"
        if kind == "hub":
            module = f"fsh_plugin_{nn}"
            source = HUB_PLUGIN.format(nn=nn, cost=cost)
            entry = f"plugin{nn} = {module}.plugin"
            wheels.append(
                wheel(wheels_dir, f"fsh-plugin-{nn}", module, source, "flask_script_hub", entry)
            )
        else:
            module = f"flask_plugin_{nn}"
            source = FLASK_PLUGIN.format(nn=nn, cost=cost)
            entry = f"plugin{nn} = {module}.plugin:cli"
            wheels.append(
                wheel(wheels_dir, f"flask-plugin-{nn}", module, source, "flask.commands", entry)
            )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            *map(str, wheels),
        ],
        check=True,
    )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--import-cost-ms", type=int, default=0)
    args = parser.parse_args()
    py = sys.executable
    flask_bin = str(Path(py).with_name("flask"))
    results: dict[tuple[str, int], Measure] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "myapp.py").write_text(APP)
        (root / "manage.py").write_text(MANAGE)
        for count in args.counts:
            site = install("hub", count, args.import_cost_ms, root)
            env = {"PYTHONPATH": f"{site}:{root}", "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": ""}
            results["help", count] = Measure(
                f"manage.py --help, {count} plugins", [py, "manage.py", "--help"], tmp, env
            )
            results["run", count] = Measure(
                f"manage.py plugin001 hello, {count} plugins",
                [py, "manage.py", "plugin001", "hello"],
                tmp,
                env,
            )
            completion = {
                **env,
                "_ARGCOMPLETE": "2",
                "COMP_LINE": "python manage.py plu",
                "COMP_POINT": "20",
                "_ARGCOMPLETE_STDOUT_FILENAME": str(root / f"completions-{count}"),
            }
            results["complete", count] = Measure(
                f"complete 'manage.py plu<TAB>', {count} plugins",
                [py, "manage.py"],
                tmp,
                completion,
            )
        biggest = max(args.counts)
        site = install("flask", biggest, args.import_cost_ms, root)
        flask_env = {"PYTHONPATH": f"{site}:{root}", "FLASK_APP": "myapp:create_app"}
        flask_help = Measure(
            f"flask --help, {biggest} flask.commands plugins", [flask_bin, "--help"], tmp, flask_env
        )
        run_all([*results.values(), flask_help], runs=args.runs)
    smallest = min(args.counts)
    print(
        f"import cost {args.import_cost_ms} ms per plugin; medians of {args.runs} runs, round-robin"
    )
    print(HEADER)
    for what in ("help", "run", "complete"):
        for count in args.counts:
            print(results[what, count].row(results[what, smallest]) + f"  (vs {smallest})")
    print(flask_help.row())
    help_big = results["help", biggest]
    wall, cpu = help_big.ms / flask_help.ms, help_big.cpu_ms / flask_help.cpu_ms
    print(f"manage.py --help / flask --help, {biggest} plugins: wall {wall:.2f}x, cpu {cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
