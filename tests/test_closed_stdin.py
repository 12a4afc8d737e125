"""stdin closed (``manage.py ... <&-``): every command that would read it says so in one line on
stderr and exits with status 1; a destructive command destroys nothing.

A closed stdin is not an empty one (``< /dev/null``): file descriptor 0 does not exist, and Python
starts with ``sys.stdin = None``. The runs close it in the child before ``exec``, as the shell's
``<&-`` does. The database is a real SQLite file; the ``db`` and ``migrate`` namespaces are the
installed first-party plugins.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from conftest import Run, clean_env

APP = """
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))


def create_app():
    app = Flask("closedstdin")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    Migrate(app, db)
    return app
"""

MANAGE = """
from flask_script_hub import Manager, prompt, prompt_bool, prompt_choices, prompt_pass

manager = Manager("app:create_app")


@manager.command
def ask():
    "Ask for a name."
    print("answer:", prompt("Name"))


@manager.command
def ask_default():
    "Ask for a name, with a default."
    print("answer:", prompt("Name", default="joe"))


@manager.command
def ask_bool():
    "Ask a yes/no question."
    print("answer:", prompt_bool("Sure", default=True))


@manager.command
def ask_pass():
    "Ask for a password."
    print("answer:", prompt_pass("Password", default="secret"))


@manager.command
def ask_choice():
    "Ask for a colour."
    print("answer:", prompt_choices("Colour", ["red", "blue"], default="red"))


if __name__ == "__main__":
    manager.run()
"""


@pytest.fixture
def app_project(write, project: Path) -> Path:
    write("app.py", APP)
    write("manage.py", MANAGE)
    return project


@pytest.fixture
def closed(app_project: Path):
    """Run ``python manage.py ARGS <&-`` in the project (``stdin_closed=False``: ``</dev/null``)."""

    def closed(*args: str, stdin_closed: bool = True) -> Run:
        env = clean_env(
            {
                "PYTHONPATH": str(app_project),
                "DATABASE_URL": f"sqlite:///{app_project / 'app.sqlite'}",
            }
        )
        proc = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=app_project,
            stdin=None if stdin_closed else subprocess.DEVNULL,
            preexec_fn=(lambda: os.close(0)) if stdin_closed else None,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return closed


def tables(project: Path) -> set[str]:
    with closing(sqlite3.connect(project / "app.sqlite")) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def assert_one_line_error(run: Run, *words: str) -> None:
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert run.stderr.startswith("error: ") and run.stderr.count("\n") == 1, run.stderr
    assert "Traceback" not in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def test_the_fixture_really_closes_stdin(closed):
    run = closed("shell", "-c", "import sys; print(sys.stdin)")
    assert (run.returncode, run.stdout) == (0, "None\n"), run.stderr


@pytest.mark.parametrize(
    ("command", "question"),
    [
        ("ask", "Name"),
        ("ask-default", "Name"),
        ("ask-bool", "Sure"),
        ("ask-pass", "Password"),
        ("ask-choice", "Colour"),
    ],
)
def test_prompts_refuse_in_one_line(closed, command, question):
    run = closed(command)
    assert_one_line_error(run, question, "stdin is closed")
    assert "answer:" not in run.stdout


def test_prompts_at_end_of_input_still_take_the_default(closed):
    # an empty stdin (< /dev/null) is end of input, as Flask-Script 2.0.6: the default answers
    assert closed("ask-default", stdin_closed=False).stdout.endswith("answer: joe\n")
    assert closed("ask-bool", stdin_closed=False).stdout.endswith("answer: True\n")


def test_interactive_shell_refuses_in_one_line(closed):
    assert_one_line_error(closed("shell"), "stdin is closed")


def test_shell_command_snippet_needs_no_stdin(closed):
    run = closed("shell", "-c", "print(app.name)")
    assert (run.returncode, run.stdout) == (0, "closedstdin\n"), run.stderr


@pytest.mark.parametrize("command", ["drop", "recreate"])
def test_db_confirmation_refuses_and_destroys_nothing(closed, app_project, command):
    created = closed("db", "create", stdin_closed=False)
    assert created.returncode == 0, created.stderr
    assert "user" in tables(app_project)
    assert_one_line_error(closed("db", command), "--yes")
    assert "user" in tables(app_project)


def test_migrate_downgrade_refuses_and_destroys_nothing(closed, app_project):
    for step in (("init",), ("migrate", "-m", "users"), ("upgrade",)):
        run = closed("migrate", *step, stdin_closed=False)
        assert run.returncode == 0, (step, run.stderr)
    before = tables(app_project)
    assert "user" in before and "alembic_version" in before
    with closing(sqlite3.connect(app_project / "app.sqlite")) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert_one_line_error(closed("migrate", "downgrade"), "--yes")
    assert tables(app_project) == before
    with closing(sqlite3.connect(app_project / "app.sqlite")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
