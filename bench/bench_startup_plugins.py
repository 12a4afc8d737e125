#!/usr/bin/env python3
"""Start-up with 100 installed plugins, the app given as an import string (issue 12's targets).

Installs 1 and 100 flask-script-hub plugin wheels (as ``bench_plugins.py`` builds them: entry
point ``pluginNNN``, a sub-manager with a ``hello`` command) with one ``pip install --target``
each, writes ``myapp.py`` (an app factory whose app has a ``hello`` click command) and a
``manage.py`` with ``Manager("myapp:create_app")`` and its own ``hello`` command, then measures
side by side in one run (medians of ``--runs``, round-robin, see ``timing.py``):

=============================================  =========================================
row                                            target
=============================================  =========================================
``python -c "import flask"``                   the baseline (1.00x)
``python -c pass``                             the floor
``manage.py --help``, 100 plugins              <= 0.30x import flask
complete ``manage.py plu<TAB>``, 100 plugins   <= 0.25x import flask
``manage.py plugin001 hello``, 100 plugins     <= 1.05x the same with 1 plugin
``manage.py hello``, 100 plugins               <= 1.00x ``flask hello`` (same app, same path)
=============================================  =========================================

plus ``manage.py --help`` with the entry-point cache turned off
(``FLASK_SCRIPT_HUB_ENTRY_POINT_CACHE=0``), to show what the cache saves. The cache lives in a
temporary ``XDG_CACHE_HOME``; it is filled by the warm-up runs (the installed files are left to
age :data:`~flask_script_hub.entrypoints.RACY_SECONDS` first).

Run: ``python bench/bench_startup_plugins.py`` (``--runs 15``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_plugins import install
from timing import HEADER, Measure, run_all

from flask_script_hub.entrypoints import RACY_SECONDS

APP = """\
from flask import Flask


def create_app():
    app = Flask("benchapp")

    @app.cli.command("hello")
    def hello():
        print("hello")

    return app
"""

MANAGE = """\
# PYTHON_ARGCOMPLETE_OK
from flask_script_hub import Manager

manager = Manager("myapp:create_app")


@manager.command
def hello():
    "Say hello (in the app context)."
    print("hello")


if __name__ == "__main__":
    manager.run()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--plugins", type=int, default=100)
    args = parser.parse_args()
    # as users run manage.py: the modules' bytecode is cached (flask's always is, in site-packages)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    flask_bin = str(Path(py).with_name("flask"))
    many = args.plugins
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "myapp.py").write_text(APP)
        (root / "manage.py").write_text(MANAGE)
        sites = {count: install("hub", count, 0, root) for count in (1, many)}
        time.sleep(RACY_SECONDS + 0.5)  # installed files old enough for the cache to be written

        def env(count: int, **extra: str) -> dict[str, str]:
            return {
                "PYTHONPATH": f"{sites[count]}:{root}",
                "XDG_CACHE_HOME": str(root / "cache"),
                "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "",
                "FLASK_APP": "myapp:create_app",
                **extra,
            }

        def measure(label: str, argv: list[str], count: int = many, **extra: str) -> Measure:
            return Measure(label, argv, tmp, env(count, **extra))

        completion = {
            "_ARGCOMPLETE": "2",
            "COMP_LINE": "python manage.py plu",
            "COMP_POINT": "20",
            "_ARGCOMPLETE_STDOUT_FILENAME": str(root / "completions"),
        }
        base = measure('python -c "import flask"', [py, "-c", "import flask"])
        rows = {
            "pass": measure("python -c pass", [py, "-c", "pass"]),
            "flask": base,
            "help": measure(f"manage.py --help, {many} plugins", [py, "manage.py", "--help"]),
            "help-nocache": measure(
                f"manage.py --help, {many} plugins, cache off",
                [py, "manage.py", "--help"],
                FLASK_SCRIPT_HUB_ENTRY_POINT_CACHE="0",
            ),
            "complete": measure(
                f"complete 'manage.py plu<TAB>', {many} plugins",
                [py, "manage.py"],
                **completion,
            ),
            "ns-1": measure(
                "manage.py plugin001 hello, 1 plugin", [py, "manage.py", "plugin001", "hello"], 1
            ),
            "ns-many": measure(
                f"manage.py plugin001 hello, {many} plugins",
                [py, "manage.py", "plugin001", "hello"],
            ),
            "hello": measure(f"manage.py hello, {many} plugins", [py, "manage.py", "hello"]),
            "flask-hello": measure(f"flask hello, {many} plugins", [flask_bin, "hello"]),
        }
        run_all(list(rows.values()), runs=args.runs)
    print(f"medians of {args.runs} runs, round-robin; ratios against import flask")
    print(HEADER)
    for row in rows.values():
        print(row.row(base))
    checks = [
        ("--help / import flask", rows["help"], base, 0.30),
        ("completion / import flask", rows["complete"], base, 0.25),
        (f"ns cmd, {many} / 1 plugin", rows["ns-many"], rows["ns-1"], 1.05),
        ("manage.py hello / flask hello", rows["hello"], rows["flask-hello"], 1.00),
    ]
    print()
    for label, row, against, target in checks:
        wall, cpu = row.ms / against.ms, row.cpu_ms / against.cpu_ms
        verdict = "ok" if wall <= target else "MISSED"
        print(f"{label:<34} wall {wall:5.2f}x  cpu {cpu:5.2f}x  target <= {target:.2f}x  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
