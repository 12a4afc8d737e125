#!/usr/bin/env python3
"""Startup cost of a big manage.py: ``manage.py --help`` with 200 commands vs ``import flask``.

Writes a project with an app factory module and a manage.py of 200 commands (functions with
positional arguments, options and flags, ``@manager.option`` stacks, Command subclasses and a
sub-manager), then measures in the same run, median of --runs:

* ``python -c "import flask"`` (the baseline: any manage.py of a Flask app imports Flask);
* ``python manage.py --help`` (manage.py imports the app module, hence Flask, at the top);
* ``python manage.py cmd007 x`` (a command that needs the app: factory called once);
* ``python manage.py --help`` where manage.py names the app by import string (Flask not imported).

Target (issue 2): ``--help`` under 1.3x of ``import flask``. Run: ``python bench/bench_startup.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from timing import HEADER, Measure, run_all

APP = """\
from flask import Flask

def create_app(config=None):
    app = Flask(__name__)
    app.config["NAME"] = config
    return app
"""


def manage_py(count: int, import_string: bool) -> str:
    lines = ["# PYTHON_ARGCOMPLETE_OK", "from flask_script_hub import Command, Manager, Option"]
    if import_string:
        lines.append('manager = Manager("myapp:create_app")')
    else:
        lines += ["from myapp import create_app", "manager = Manager(create_app)"]
    lines.append('manager.add_option("-c", "--config", dest="config")')
    lines.append('sub = Manager(usage="Sub commands")')
    lines.append('manager.add_command("sub", sub)')
    for i in range(count):
        kind = i % 4
        if kind == 0:
            lines.append(
                textwrap.dedent(f'''
                @manager.command
                def cmd{i:03d}(name, count: int = 1, loud=False):
                    """Command {i}: say hello to NAME, COUNT times."""
                    print(name * count)
            ''')
            )
        elif kind == 1:
            lines.append(
                textwrap.dedent(f'''
                @manager.option("-n", "--name", default="joe", help="who")
                @manager.option("-u", "--url", default=None, help="from where")
                def cmd{i:03d}(name, url):
                    """Command {i}: option stack."""
                    print(name, url)
            ''')
            )
        elif kind == 2:
            lines.append(
                textwrap.dedent(f'''
                class Cmd{i:03d}(Command):
                    """Command {i}: a Command subclass."""
                    option_list = (Option("--flag", action="store_true"), Option("target"))
                    def run(self, flag, target):
                        print(target, flag)
                manager.add_command("cmd{i:03d}", Cmd{i:03d}())
            ''')
            )
        else:
            lines.append(
                textwrap.dedent(f'''
                @sub.command
                def cmd{i:03d}(path="."):
                    """Command {i}: in a sub-manager."""
                    print(path)
            ''')
            )
    lines += ["", 'if __name__ == "__main__":', "    manager.run()", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "myapp.py").write_text(APP)
        (root / "manage.py").write_text(manage_py(args.commands, import_string=False))
        (root / "manage_str.py").write_text(manage_py(args.commands, import_string=True))
        py = sys.executable
        env = {"PYTHONPATH": str(root), "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": ""}
        kw = {"cwd": tmp, "env": env}
        base = Measure('python -c "import flask"', [py, "-c", "import flask"], **kw)
        rows = [
            Measure("python -c pass", [py, "-c", "pass"], **kw),
            base,
            Measure(
                f"manage.py --help ({args.commands} commands)", [py, "manage.py", "--help"], **kw
            ),
            Measure(
                "manage.py cmd000 x (app created once)", [py, "manage.py", "cmd000", "x"], **kw
            ),
            Measure("manage.py sub --help", [py, "manage.py", "sub", "--help"], **kw),
            Measure(
                "manage.py --help, app as import string", [py, "manage_str.py", "--help"], **kw
            ),
        ]
        run_all(rows, runs=args.runs)
    print(f"medians of {args.runs} runs, round-robin; ratios against import flask")
    print(HEADER)
    for row in rows:
        print(row.row(base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
