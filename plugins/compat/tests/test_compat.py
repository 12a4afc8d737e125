"""Old manage.py files run unchanged with flask-script-hub-compat installed (`make install`).

Real subprocesses, real apps, real SQLite databases.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

from old_manage_scenario import OldProject, check_old_manage_py, copy_project

import flask_script_hub
from flask_script_hub.testing import write_distribution

FLASKY = Path(__file__).parent / "data" / "flasky"


def test_names_are_the_hubs_objects():
    import flask_script
    import flask_script.cli
    from flask_script import commands
    from flask_script.commands import InvalidCommand

    assert flask_script.Manager is flask_script_hub.Manager
    assert flask_script.Command is flask_script_hub.Command
    assert flask_script.Shell is flask_script_hub.Shell
    assert flask_script.Server is flask_script_hub.Server
    assert InvalidCommand is flask_script_hub.InvalidCommand
    assert commands.ShowUrls is flask_script_hub.commands.ShowUrls
    assert commands.Clean is flask_script_hub.commands.Clean
    assert flask_script.cli.prompt_bool is flask_script_hub.prompt_bool
    assert set(flask_script.__all__) >= {
        "Manager", "Command", "Option", "Group", "Shell", "Server",
        "prompt", "prompt_bool", "prompt_pass", "prompt_choices",
    }  # fmt: skip


def test_flask_script_206_manage_py_runs_unchanged(tmp_path):
    project = copy_project(tmp_path / "project", import_line_changed=False)
    assert "from flask_script import Command, Manager" in (project / "manage.py").read_text()
    check_old_manage_py(OldProject(project))


def flasky(tmp_path: Path) -> Path:
    project = tmp_path / "flasky"
    shutil.copytree(FLASKY, project)
    (project / ".env").write_text("FLASK_CONFIG=development\nFLASKY_ADMIN=admin@example.com\n")
    return project


def run(project: Path, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        PYTHONPATH=str(project),
        PYTHONDONTWRITEBYTECODE="1",
        FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def ok(project: Path, *args: str) -> str:
    """Run, assert exit status 0, return stdout after the .env loop's line."""
    proc = run(project, *args)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout.removeprefix("Importing environment from .env file\n")


def test_flasky_manage_py_needs_only_its_migrate_command_import_changed(tmp_path):
    project = flasky(tmp_path)
    # untouched, it stops at Flask-Migrate 3+'s missing MigrateCommand, not at flask_script
    untouched = run(project)
    assert untouched.returncode == 1
    assert "cannot import name 'MigrateCommand' from 'flask_migrate'" in untouched.stderr

    manage = project / "manage.py"
    manage.write_text(
        manage.read_text().replace(
            "from flask_migrate import Migrate, MigrateCommand\n",
            "from flask_migrate import Migrate\n"
            "from flask_script_hub_migrate import MigrateCommand\n",
        )
    )
    assert "from flask_script import Manager, Shell" in manage.read_text()

    assert run(project).stdout.startswith("Importing environment from .env file\n")
    listing = ok(project)
    assert (
        "recreate_db Recreates a local database. You probably should not use this on production."
        in " ".join(listing.split())
    )
    assert "profiling: length=10 profile_dir=/tmp/p" in ok(
        project, "profile", "-l", "10", "--profile_dir", "/tmp/p"
    )

    # the deployment: migrations, `deploy`, the app's ordinary path, a downgrade from a script
    ok(project, "db", "init")
    ok(project, "db", "migrate", "-m", "initial")
    ok(project, "deploy")
    database = project / "data-dev.sqlite"
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT count(*) FROM roles").fetchone() == (3,)
    assert ok(project, "adduser", "ada") == "http://localhost/user/ada\n"
    shell = ok(project, "shell", "-c", "print(User.query.first().role.name)")
    assert shell == "User\n"

    down = run(project, "db", "downgrade")  # stdin is not a terminal, as in a deploy script
    assert down.returncode == 0, down.stderr
    with closing(sqlite3.connect(database)) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert "users" not in tables
    ok(project, "deploy")  # the day after
    assert ok(project, "adduser", "bob") == "http://localhost/user/bob\n"

    tests = run(project, "test")
    assert tests.returncode == 0, tests.stderr
    assert "test_app_is_testing" in tests.stderr and "OK" in tests.stderr
    ok(project, "recreate_db")
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_refused_beside_a_real_flask_script(tmp_path):
    """A Flask-Script distribution installed too: importing flask_script fails, saying why."""
    site = tmp_path / "site"
    write_distribution(site, "Flask-Script", "2.0.6")  # its metadata only
    project = tmp_path / "project"
    project.mkdir()
    (project / "manage.py").write_text(
        textwrap.dedent("""
        from flask import Flask
        from flask_script import Manager

        manager = Manager(Flask("x"))

        if __name__ == "__main__":
            manager.run()
        """)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONPATH"] = str(site)
    proc = subprocess.run(
        [sys.executable, "manage.py"], cwd=project, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1, proc.stderr  # one line, no traceback
    assert proc.stderr.startswith(
        "error: flask-script-hub-compat refuses to run: Flask-Script 2.0.6 is installed too (in "
    ), proc.stderr
    assert proc.stderr.endswith(
        "Uninstall both, then reinstall flask-script-hub-compat: pip uninstall -y Flask-Script "
        "flask-script-hub-compat && pip install flask-script-hub-compat\n"
    )
    # the traceback on request, and the ImportError can be caught by code that imports it
    loud = subprocess.run(
        [sys.executable, "manage.py"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**env, "FLASK_SCRIPT_HUB_TRACEBACK": "1"},
    )
    assert "Traceback" in loud.stderr and "ConflictingFlaskScript" in loud.stderr
    caught = subprocess.run(
        [sys.executable, "-c", "try:\n import flask_script\nexcept ImportError as e:\n print(1)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert (caught.returncode, caught.stdout, caught.stderr) == (0, "1\n", "")
    # without it, the same manage.py runs
    del env["PYTHONPATH"]
    fine = subprocess.run(
        [sys.executable, "manage.py"], cwd=project, capture_output=True, text=True, env=env
    )
    assert fine.returncode == 0, fine.stderr


def test_flask_base_manage_py_needs_only_its_migrate_command_import_changed(tmp_path):
    """A flask-base style manage.py: setup_dev, add_fake_data (@manager.option), recreate_db."""
    project = tmp_path / "flask-base"
    shutil.copytree(Path(__file__).parent / "data" / "flask-base", project)
    manage = project / "manage.py"
    manage.write_text(
        manage.read_text().replace(
            "from flask_migrate import Migrate, MigrateCommand\n",
            "from flask_migrate import Migrate\n"
            "from flask_script_hub_migrate import MigrateCommand\n",
        )
    )
    listing = " ".join(ok(project).split())
    assert "recreate_db Recreates a local database. You probably should not use this on " \
        "production." in listing  # fmt: skip
    assert "setup_general" not in listing
    ok(project, "recreate_db")
    assert ok(project, "setup_dev") == "Added administrator Admin Account\n"
    assert ok(project, "setup_dev") == ""  # idempotent
    ok(project, "add_fake_data", "-n", "5")
    database = project / "data-dev.sqlite"
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (6,)
    ok(project, "recreate_db")
    ok(project, "setup_dev")
    ok(project, "add_fake_data", "--number-users=2")
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (3,)
    bad = run(project, "add_fake_data", "-n", "many")
    assert bad.returncode == 2 and "argument -n/--number-users: invalid int value" in bad.stderr
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (3,)
    code = "print(User.query.filter_by(email='fake0@example.com').first().role.name)"
    assert ok(project, "shell", "-c", code) == "User\n"
    ok(project, "db", "init")
    ok(project, "db", "stamp", "head")
    assert "-?, --help" in ok(project, "run_worker", "-?")
