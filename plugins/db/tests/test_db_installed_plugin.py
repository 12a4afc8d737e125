"""A real manage.py, run as a subprocess, finding the plugin through its installed entry point.

The dev environment installs the plugin with ``pip install -e plugins/db --no-deps``: its
``flask_script_hub`` entry point ``db`` is what these tests exercise. Prompts and the progress bar
are tested on a real pseudo-terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from flask_script_hub.testing import run_in_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

APP = """
import os

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False)
    email = sa.Column(sa.String(100))


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    return app
"""

MANAGE = """
from flask_script_hub import Manager

from app import create_app

manager = Manager(create_app)

if __name__ == "__main__":
    manager.run()
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "manage.py").write_text(textwrap.dedent(MANAGE))
    return tmp_path


def environment(site: Path, url: str | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLASK_SCRIPT_HUB_") and k not in ("FLASK_APP", "PYTHONPATH")
    }
    env["DATABASE_URL"] = url or f"sqlite:///{site / 'app.sqlite'}"
    env["TERM"] = "xterm"
    env["COLUMNS"] = "100"
    return env


def manage(site: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=site,
        env=environment(site, url),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def in_terminal(
    site: Path, *args: str, answer: str | None = None, prompt: str = "[y/N]: "
) -> tuple[int, str]:
    """Run manage.py with stdin/stdout/stderr on a pseudo-terminal; type ``answer`` at the prompt."""
    result = run_in_terminal(
        [sys.executable, "manage.py", *args],
        cwd=site,
        env=environment(site),
        answers=[] if answer is None else [(prompt, answer + "\n")],
        timeout=120,
    )
    return result.returncode, result.output


def test_plugin_is_installed_through_its_entry_point():
    (ep,) = [ep for ep in entry_points(group="flask_script_hub") if ep.name == "db"]
    assert ep.value == "flask_script_hub_db.plugin"
    assert ep.dist is not None and ep.dist.name == "flask-script-hub-db"


def test_plugin_module_is_light():
    code = (
        "import sys, flask_script_hub_db.plugin; "
        "print(sorted(m for m in ('sqlalchemy', 'flask_sqlalchemy', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_manage_py_lists_and_runs_the_db_namespace(site):
    listing = manage(site)
    assert listing.returncode == 0, listing.stderr
    assert "db" in listing.stdout and "flask-script-hub-db" in listing.stdout

    result = manage(site, "db", "create")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created 1 table(s) in default database (sqlite:///")

    (site / "fixtures" / "default").mkdir(parents=True)
    (site / "fixtures" / "default" / "users.csv").write_text(
        "id,name,email\n1,Ann,a@example.org\n2,Bob,\n"
    )
    for _ in range(2):
        result = manage(site, "db", "populate", "--default-data")
        assert result.returncode == 0, result.stderr
    assert result.stdout == "users: 0 inserted, 2 updated\n"
    assert result.stderr == ""

    result = manage(site, "db", "tables")
    assert result.returncode == 0
    assert "users" in result.stdout and "2" in result.stdout

    result = manage(site, "db", "drop")
    assert result.returncode == 1
    assert (
        result.stderr
        == "error: refusing to drop tables without --yes: stdin is not a terminal; nothing was changed\n"
    )
    assert "users: 2 rows" in result.stdout


def test_drop_asks_on_a_terminal(site):
    assert manage(site, "db", "create").returncode == 0
    code, output = in_terminal(site, "db", "drop", answer="")  # Enter: the default, No
    assert code == 1, output
    assert "Drop these 1 table(s) and their 0 rows? [y/N]: " in output
    assert "aborted: nothing was changed" in output
    code, output = in_terminal(site, "db", "drop", answer="n")
    assert code == 1
    assert manage(site, "db", "tables").stdout.count("(not created)") == 0

    code, output = in_terminal(site, "db", "drop", answer="y")
    assert code == 0, output
    assert "dropped 1 table(s)" in output
    assert "(not created)" in manage(site, "db", "tables").stdout


def test_recreate_asks_on_a_terminal(site):
    assert manage(site, "db", "create").returncode == 0
    code, output = in_terminal(site, "db", "recreate", answer="no")
    assert code == 1
    assert "Drop and recreate these 1 table(s) and lose their 0 rows? [y/N]: " in output
    code, output = in_terminal(site, "db", "recreate", answer="yes")
    assert code == 0, output
    assert "dropped 1 table(s)" in output and "created 1 table(s)" in output


def test_progress_bar_shows_on_a_terminal_only(site):
    assert manage(site, "db", "create").returncode == 0
    rows = "".join(f"{i},User {i},user{i}@example.org\n" for i in range(1, 30001))
    big = site / "data" / "users.csv"
    big.parent.mkdir()
    big.write_text("id,name,email\n" + rows)
    code, output = in_terminal(site, "db", "populate", "data")
    assert code == 0, output
    assert "populate" in output and "━" in output  # rich's bar
    assert "users: 30000 inserted, 0 updated" in output

    result = manage(site, "db", "populate", "data")
    assert result.returncode == 0
    assert result.stdout == "users: 0 inserted, 30000 updated\n"
    assert result.stderr == ""


def test_connection_failure_through_manage_py(site):
    result = manage(site, "db", "tables", url="postgresql+psycopg://bob:pa55word-x@127.0.0.1:1/app")
    assert result.returncode == 1
    assert "pa55word-x" not in result.stdout + result.stderr
    assert result.stderr.startswith(
        "error: cannot connect to postgresql+psycopg://bob:***@127.0.0.1:1/app: "
    )
    assert len(result.stderr.splitlines()) == 1


def test_missing_driver_is_one_line(site):
    # Flask-SQLAlchemy creates the engine (and imports the driver) in db.init_app(), so the app
    # factory fails before any db command runs; the core reports that in one line.
    result = manage(
        site, "db", "create", url="postgresql+nosuchdriver://bob:pa55word-x@127.0.0.1/app"
    )
    assert result.returncode == 1
    assert "pa55word-x" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "nosuchdriver" in result.stderr
