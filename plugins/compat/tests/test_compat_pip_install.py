"""pip install flask-script-hub-compat into a fresh venv: an untouched manage.py runs; beside a
real Flask-Script distribution it is refused with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flask_script_hub.testing import write_distribution

ROOT = Path(__file__).resolve().parents[3]
COMPAT = ROOT / "plugins" / "compat"

pytestmark = pytest.mark.slow

OLD_MANAGE_PY = """
from flask import Flask, url_for

from flask_script import Command, Manager, Option, Server, Shell, prompt_bool
from flask_script import commands
from flask_script.commands import InvalidCommand


def create_app(config=None):
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "index"

    return app


class Hello(Command):
    "prints hello world"

    def __init__(self, greeting="hello"):
        self.greeting = greeting

    def get_options(self):
        return [Option("-n", "--name", dest="name", default="world")]

    def run(self, name):
        print(self.greeting, name, url_for("index", _external=True))


manager = Manager(create_app)
manager.add_option("-c", "--config", dest="config", required=False)
manager.add_command("hello", Hello())
manager.add_command("urls", commands.ShowUrls())


@manager.command
def dropdb(force=False):
    "Drops the tables"
    if not (force or prompt_bool("Are you sure you want to lose all your data")):
        raise InvalidCommand("kept the data")
    print("dropped")


if __name__ == "__main__":
    manager.run()
"""


def env() -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHONPATH"))}
    values["PYTHONDONTWRITEBYTECODE"] = "1"
    return values


def pip(py: Path, *args: str) -> None:
    proc = subprocess.run(
        [py, "-m", "pip", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=env(),
    )
    assert proc.returncode == 0, proc.stderr


def test_pip_install_compat_then_refuse_beside_flask_script(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip(py, "install", str(ROOT))
    pip(py, "install", "--no-deps", str(COMPAT))
    project = tmp_path / "project"
    project.mkdir()
    (project / "manage.py").write_text(textwrap.dedent(OLD_MANAGE_PY))

    def manage(*args: str, input: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [py, "manage.py", *args],
            cwd=project,
            input=input,
            capture_output=True,
            text=True,
            env=env(),
        )

    hello = manage("hello", "-n", "pip")
    assert (hello.returncode, hello.stdout, hello.stderr) == (
        0,
        "hello pip http://localhost/\n",
        "",
    )
    kept = manage("dropdb")
    assert (kept.returncode, kept.stderr) == (1, "error: kept the data\n")
    assert manage("dropdb", "-f").stdout == "dropped\n"
    assert "/" in manage("urls").stdout
    purelib = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (Path(purelib) / "flask_script" / "py.typed").is_file()

    # a real Flask-Script installed beside it (its dist-info, as pip leaves it): refused
    write_distribution(purelib, "Flask-Script", "2.0.6")
    refused = manage("hello")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith(
        "error: flask-script-hub-compat refuses to run: Flask-Script 2.0.6 is installed too"
    ), refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    # the fix the message gives works
    pip(py, "uninstall", "-y", "Flask-Script", "flask-script-hub-compat")
    pip(py, "install", "--no-deps", str(COMPAT))
    assert manage("hello").returncode == 0
