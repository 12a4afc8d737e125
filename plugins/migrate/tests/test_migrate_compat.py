"""Old Flask-Script manage.py files: ``manager.add_command("db", MigrateCommand)``."""

from __future__ import annotations

import textwrap

import pytest

OLD_MANAGE_PY = """
from flask_script_hub import Manager
from flask_script_hub_migrate import MigrateCommand  # was: from flask_migrate import MigrateCommand

from app import create_app

manager = Manager(create_app)
manager.add_command("db", MigrateCommand)

if __name__ == "__main__":
    manager.run()
"""


@pytest.mark.parametrize("autoload", ["1", "0"])
def test_old_manage_py_changes_only_its_import_line(sqlite_project, autoload):
    project = sqlite_project
    (project.path / "old_manage.py").write_text(textwrap.dedent(OLD_MANAGE_PY))
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": autoload}
    listing = project.run(script="old_manage.py", **env)
    assert listing.returncode == 0 and "  db " in listing.stdout
    project.run("db", "init", script="old_manage.py", **env).check_returncode()
    project.run("db", "migrate", "-m", "users", script="old_manage.py", **env).check_returncode()
    project.run("db", "upgrade", script="old_manage.py", **env).check_returncode()
    assert "user" in project.tables()
    (rev,) = project.version()
    current = project.run("db", "current", script="old_manage.py", **env)
    assert current.stdout.strip() == f"{rev} (head)"
    # the installed plugin's namespace is there too unless autoloading is off
    both = project.run("migrate", "current", script="old_manage.py", **env)
    if autoload == "1":
        assert both.returncode == 2 and "invalid choice: 'migrate'" in both.stderr
    else:
        assert both.stdout.strip() == f"{rev} (head)"


def test_make_manager_mounts_under_any_name(sqlite_project):
    project = sqlite_project
    (project.path / "manage2.py").write_text(
        textwrap.dedent("""
        from flask_script_hub import Manager
        from flask_script_hub_migrate import make_manager

        from app import create_app

        manager = Manager(create_app)
        manager.add_command("schema", make_manager())

        if __name__ == "__main__":
            manager.run()
    """)
    )
    result = project.run("schema", "init", script="manage2.py")
    assert result.returncode == 0, result.stderr
    assert (project.path / "migrations" / "env.py").is_file()


def test_old_db_downgrade_runs_without_a_terminal_as_flask_migrate_2(sqlite_project):
    """Deploy and CI scripts ran `manage.py db downgrade` without a terminal: it still runs."""
    project = sqlite_project
    (project.path / "old_manage.py").write_text(textwrap.dedent(OLD_MANAGE_PY))
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
    project.run("db", "init", script="old_manage.py", **env).check_returncode()
    project.run("db", "migrate", "-m", "users", script="old_manage.py", **env).check_returncode()
    project.run("db", "upgrade", script="old_manage.py", **env).check_returncode()
    (rev,) = project.version()
    assert "user" in project.tables()

    down = project.run("db", "downgrade", script="old_manage.py", **env)  # stdin: a pipe, at EOF
    assert down.returncode == 0, down.stderr
    assert "Refusing" not in down.stderr and "?" not in down.stdout
    assert project.version() == set() and "user" not in project.tables()
    # the day after: upgrade again and use the table
    project.run("db", "upgrade", script="old_manage.py", **env).check_returncode()
    assert project.version() == {rev}
    project.insert("user", name="ada")
    assert project.rows("user", "name") == [("ada",)]
    # --yes (the namespace's flag) is accepted and changes nothing
    assert project.run("db", "downgrade", "--yes", script="old_manage.py", **env).returncode == 0
    assert project.version() == set()


def test_namespace_downgrade_still_confirms(sqlite_project):
    """The `migrate` namespace keeps the confirmation, where it is documented."""
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    project.ok("migrate", "upgrade")
    (rev,) = project.version()
    error = project.fails("migrate", "downgrade")
    assert "without --yes (stdin is not a terminal)" in error
    assert project.version() == {rev}
