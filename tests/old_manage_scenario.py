"""Runs the Flask-Script 2.0.6 style manage.py of ``tests/data/old-manage`` as a user would.

Shared by the core's tests (the import line changed to ``flask_script_hub``) and
flask-script-hub-compat's (the file unchanged): every behaviour of the issue "drop-in for real
manage.py files", through a real subprocess, a real app and a real SQLite database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from argparse_layout import metavar_once

DATA = Path(__file__).parent / "data" / "old-manage"


def copy_project(dest: Path, import_line_changed: bool) -> Path:
    """Copy the old project to ``dest``; optionally change ``flask_script`` to the hub's name."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("manage.py", "myapp.py"):
        shutil.copy(DATA / name, dest / name)
    if import_line_changed:
        text = (dest / "manage.py").read_text()
        text = text.replace("from flask_script import", "from flask_script_hub import")
        text = text.replace("from flask_script.commands", "from flask_script_hub.commands")
        assert "flask_script " not in text and "flask_script." not in text
        (dest / "manage.py").write_text(text)
    (dest / "shouting.cfg").write_text("USE_UPPERCASE = True\n")
    return dest


class OldProject:
    """``python manage.py ...`` in the project, with a clean environment."""

    def __init__(self, path: Path, python: str = sys.executable) -> None:
        self.path = path
        self.python = python

    def run(
        self, *args: str, stdin: str | None = "", close_stdin: bool = False
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "_ARGCOMPLETE"))}
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD="1",
            PYTHONPATH=str(self.path),
            COLUMNS="100",
        )
        return subprocess.run(
            [self.python, "manage.py", *args],
            cwd=self.path,
            input=None if close_stdin else stdin,
            stdin=subprocess.DEVNULL if close_stdin else None,
            preexec_fn=(lambda: os.close(0))
            if close_stdin
            else None,  # fd 0 closed: sys.stdin is None
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        proc = self.run(*args, stdin=stdin)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert proc.stderr == "", (args, proc.stderr)
        return proc.stdout

    def users(self) -> list[str]:
        with closing(sqlite3.connect(self.path / "instance" / "app.sqlite")) as conn:
            return [name for (name,) in conn.execute("SELECT name FROM users ORDER BY id")]


def usage_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2, nothing on stdout, argparse's usage and one error line naming ``fragments``."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("usage: ") and "Traceback" not in proc.stderr
    assert all(f in lines[-1] for f in fragments), proc.stderr


def check_old_manage_py(project: OldProject) -> None:
    """Every behaviour a Flask-Script 2.0.6 manage.py relied on (see the issue's list)."""
    # the listing: Manager(usage=...) is the usage line; a docstring's whole first paragraph
    listing = project.ok()
    assert listing.startswith("usage: Manage the example application\n")
    assert (
        "initdb Creates the tables, dropping the old ones first unless told not to. Used by the "
        "deploy script after every release, so keep it idempotent. mycommand"
    ) in " ".join(listing.split())
    assert "Second paragraph" not in listing
    sub = project.ok("database", "-?")
    assert sub.startswith("usage: Perform database operations\n")

    # Command subclasses; one with its own __init__ and get_options(); a namespace attribute
    assert project.ok("hello") == "hello world\n"
    assert project.ok("greet") == "hello Joe\n"
    assert project.ok("greet", "-n", "Ann") == "hello Ann\n"

    # options from signatures keep Flask-Script's flags
    assert project.ok("verify") == "VERIFIED? NO\n"
    assert project.ok("verify", "-v") == "VERIFIED? YES\n"
    assert project.ok("backup", "-b", "x.sql", "--profile_dir", "p1") == "backup x.sql p1\n"
    assert project.ok("backup", "--b", "y.sql", "--profile-dir", "p2") == "backup y.sql p2\n"

    # a real database: create, add, count, recreate with and without drop, the day after
    assert project.ok("database", "create", "-d") == "created default_data=True sample_data=False\n"
    assert project.ok("adduser", "ada") == "added ada\n"
    assert project.ok("users", "count") == "1 users\n"
    assert project.ok("initdb", "--no-drop") == "initdb drop=False\n"
    assert project.users() == ["ada"]
    assert project.ok("initdb", "-d") == "initdb drop=True\n"
    assert project.users() == []
    assert project.ok("adduser", "bob") == "added bob\n"
    assert project.users() == ["bob"]

    # commands run in a test request context: url_for(_external=True) without SERVER_NAME
    assert project.ok("welcome", "1") == "Welcome! Your page: http://localhost/users/1\n"

    # manager options reach the factory; after the command name they are an error
    assert project.ok("-c", "shouting.cfg", "hello2", "-n", "frank") == "hello FRANK\n"
    usage_error(
        project.run("hello2", "-c", "shouting.cfg"), "manager options go before the command"
    )
    usage_error(project.run("-h"), "help is -? or --help")

    # InvalidCommand: one line, exit 1
    bad = project.run("mycommand", "--foo", "1", "--bar", "2")
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        1,
        "",
        "error: Options foo and bar are incompatible\n",
    )

    # prompts at end of input: the default, no traceback, data kept
    kept = project.run("dropdb")
    assert (kept.returncode, kept.stderr) == (0, ""), kept.stderr
    assert kept.stdout.endswith("kept\n")
    who = project.run("whoami")
    assert (who.returncode, who.stdout.splitlines()[-1]) == (0, "you are nobody")
    # with stdin closed (<&-): one line, exit 1, data kept (Flask-Script 2.0.6: a traceback)
    for command in ("dropdb", "whoami"):
        closed = project.run(command, close_stdin=True)
        assert closed.returncode == 1, (closed.stdout, closed.stderr)
        assert closed.stderr.startswith("error: cannot ask "), closed.stderr
        assert closed.stderr.endswith(": stdin is closed\n") and closed.stderr.count("\n") == 1
    assert project.users() == ["bob"]
    assert project.ok("dropdb", stdin="y\n").endswith("dropped\n")

    # the ready-made commands of flask_script.commands, and the shell's context
    assert "/users/<int:user_id>" in project.ok("urls")
    assert project.ok("initdb") == "initdb drop=True\n"
    code = "from flask import url_for; print(User.query.count(), url_for('user', user_id=2))"
    assert project.ok("shell", "-c", code) == "0 /users/2\n"
    assert "-p, --port PORT" in metavar_once(project.ok("runserver", "-?"))
