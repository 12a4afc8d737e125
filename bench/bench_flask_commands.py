#!/usr/bin/env python3
"""Flask extensions' commands in manage.py: the same N ``flask.commands`` extensions, two CLIs.

Installs N Flask CLI plugin distributions (a click group ``pluginNNN`` each, in the
``flask.commands`` entry-point group, as ``../shared/bench/gen_flask_plugins.py`` makes them;
built by :func:`bench_plugins.install`) and measures, side by side in one run (round-robin,
medians):

* ``manage.py --help`` and ``flask --help``: manage.py lists the extensions from entry-point
  metadata, Flask imports every one of them (target: manage.py at most 0.5x of flask);
* ``manage.py plugin001 hello`` and ``flask plugin001 hello``: running one extension's command;
* a completion request of the first word of manage.py.

``--import-cost-ms`` makes every extension module busy-wait at import, like an extension that
imports heavy libraries: manage.py pays it for the one extension it runs, flask for all of them.

Run: ``python bench/bench_flask_commands.py`` (``--count 100 --runs 15 --import-cost-ms 0``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_plugins import APP, MANAGE, install
from timing import HEADER, Measure, run_all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--import-cost-ms", type=int, default=0)
    args = parser.parse_args()
    py = sys.executable
    flask_bin = str(Path(py).with_name("flask"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "myapp.py").write_text(APP)
        (root / "manage.py").write_text(MANAGE)
        site = install("flask", args.count, args.import_cost_ms, root)
        env = {
            "PYTHONPATH": f"{site}:{root}",
            "FLASK_APP": "myapp:create_app",
            # only the generated extensions: no installed flask-script-hub plugin
            "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "",
            "FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "db,migrate,compat,rq",
        }
        n = args.count
        manage_help = Measure(
            f"manage.py --help, {n} extensions", [py, "manage.py", "--help"], tmp, env
        )
        flask_help = Measure(f"flask --help, {n} extensions", [flask_bin, "--help"], tmp, env)
        manage_run = Measure(
            f"manage.py plugin001 hello, {n} extensions",
            [py, "manage.py", "plugin001", "hello"],
            tmp,
            env,
        )
        flask_run = Measure(
            f"flask plugin001 hello, {n} extensions", [flask_bin, "plugin001", "hello"], tmp, env
        )
        complete = Measure(
            f"complete 'manage.py plu<TAB>', {n} extensions",
            [py, "manage.py"],
            tmp,
            {
                **env,
                "_ARGCOMPLETE": "2",
                "COMP_LINE": "python manage.py plu",
                "COMP_POINT": "20",
                "_ARGCOMPLETE_STDOUT_FILENAME": str(root / "completions"),
            },
        )
        run_all([manage_help, flask_help, manage_run, flask_run, complete], runs=args.runs)
    print(f"import cost {args.import_cost_ms} ms per extension; medians of {args.runs} runs")
    print(HEADER)
    print(flask_help.row())
    print(manage_help.row(flask_help) + "  (vs flask --help)")
    print(flask_run.row())
    print(manage_run.row(flask_run) + "  (vs flask plugin001 hello)")
    print(complete.row(flask_help) + "  (vs flask --help)")
    wall, cpu = manage_help.ms / flask_help.ms, manage_help.cpu_ms / flask_help.cpu_ms
    print(f"manage.py --help / flask --help, {n} extensions: wall {wall:.2f}x, cpu {cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
