"""Every `flask db` command under `manage.py migrate`: options, help, output, errors (SQLite)."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap

import click
import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from flask_script_hub import Manager
from flask_script_hub.testing import ManagerRunner

# What this project adds to Flask-Migrate's commands; everything else comes from flask_migrate.cli.
OURS = {
    "upgrade": ["--lock-timeout"],
    "downgrade": ["--lock-timeout", "--yes"],
    "stamp": ["--lock-timeout"],
}


@pytest.fixture
def manager(tmp_path):
    app = Flask("inprocess")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'in.sqlite'}"
    SQLAlchemy(app)
    return Manager(app)


def test_namespace_is_listed_without_importing_flask_migrate(sqlite_project):
    result = sqlite_project.ok()
    assert "migrate" in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            import flask_script_hub_migrate.plugin, flask_script_hub_migrate.commands
            from flask_script_hub_migrate import MigrateCommand
            heavy = [m for m in ("flask_migrate", "alembic", "sqlalchemy") if m in sys.modules]
            print(heavy)
        """)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.strip() == "[]"


def test_every_flask_db_command_and_option_in_the_help(sqlite_project):
    """Walk Flask-Migrate's own click group: each command, option and argument is in our -?."""
    from flask_migrate.cli import db

    listing = sqlite_project.ok("migrate", "-?").stdout
    for name, command in db.commands.items():
        assert f"  {name} " in listing, name
        helped = sqlite_project.ok("migrate", name, "-?").stdout
        assert helped.startswith(f"Usage: manage.py migrate {name} "), helped
        assert (command.help or "").strip().splitlines()[0] in helped
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts + param.secondary_opts:
                    assert option in helped, (name, option)
            else:
                assert param.make_metavar(click.Context(command)) in helped, (name, param.name)
        for option in OURS.get(name, []):
            assert option in helped, (name, option)
    for param in db.params:  # the group's own options (-d, -x)
        for option in param.opts:
            assert option in listing, option


def test_usage_error_exits_2(sqlite_project):
    result = sqlite_project.run("migrate", "upgrade", "--bogus")
    assert result.returncode == 2
    assert "Usage: manage.py migrate upgrade" in result.stderr
    assert "No such option" in result.stderr and "--bogus" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "-inf", "1e9", "soon"])
def test_lock_timeout_is_validated(sqlite_project, value):
    result = sqlite_project.run("migrate", "upgrade", "--lock-timeout", value)
    assert result.returncode == 2, result.stderr
    assert "Invalid value for '--lock-timeout'" in result.stderr
    assert "Traceback" not in result.stderr


def test_in_process_output_goes_to_the_current_stdout(manager, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = ManagerRunner()
    assert runner.invoke(manager, ["migrate", "init"]).exit_code == 0
    result = runner.invoke(manager, ["migrate", "revision", "-m", "first", "--rev-id", "aaa111"])
    assert result.exit_code == 0, result.stderr
    # a second invocation in the same process prints to its own stdout, not the first one's
    heads = runner.invoke(manager, ["migrate", "heads"])
    assert heads.stdout == "aaa111 (head)\n"
    for _ in range(2):
        templates = runner.invoke(manager, ["migrate", "list-templates"])
        assert templates.stdout.startswith("Available templates:\n\naioflask - ")


def test_missing_migrations_directory_is_one_line(sqlite_project):
    error = sqlite_project.fails("migrate", "upgrade")
    assert "Path doesn't exist" in error and "init" in error


def test_unknown_revision_is_one_line(sqlite_project):
    sqlite_project.ok("migrate", "init")
    error = sqlite_project.fails("migrate", "upgrade", "nosuchrev")
    assert "nosuchrev" in error


def test_app_without_migrate_gets_one_and_is_told(sqlite_project):
    result = sqlite_project.ok("migrate", "init", NO_MIGRATE_EXTENSION="1")
    assert "the app has no Flask-Migrate `Migrate`; using Migrate(app, db)" in result.stderr
    assert (sqlite_project.path / "migrations" / "alembic.ini").is_file()
    sqlite_project.ok("migrate", "migrate", "-m", "users", NO_MIGRATE_EXTENSION="1")
    sqlite_project.ok("migrate", "upgrade", NO_MIGRATE_EXTENSION="1")
    assert "user" in sqlite_project.tables()


def test_app_without_flask_sqlalchemy_is_an_error(tmp_path):
    (tmp_path / "manage.py").write_text(
        textwrap.dedent("""
        from flask import Flask
        from flask_script_hub import Manager

        manager = Manager(Flask("bare"))
        if __name__ == "__main__":
            manager.run()
    """)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "current"],
        cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: The app has no Flask-SQLAlchemy extension")
    assert result.stderr.count("\n") == 1


def test_directory_option(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init", "-d", "other")
    assert (project.path / "other" / "env.py").is_file()
    assert not (project.path / "migrations").exists()
    project.ok("migrate", "migrate", "--directory", "other", "-m", "users")
    project.ok("migrate", "upgrade", "-d", "other")
    assert "user" in project.tables()
    assert "(head)" in project.ok("migrate", "current", "-d", "other").stdout


def test_init_variants_and_list_templates(sqlite_project):
    project = sqlite_project
    templates = project.ok("migrate", "list-templates").stdout
    for name in ("flask - ", "flask-multidb - ", "aioflask - "):
        assert name in templates
    project.ok("migrate", "init", "-d", "multi", "--multidb")
    assert "Multi-database" in (project.path / "multi" / "README").read_text()
    project.ok("migrate", "init", "-d", "pkg", "--package")
    assert (project.path / "pkg" / "__init__.py").is_file()
    assert (project.path / "pkg" / "versions" / "__init__.py").is_file()
    project.ok("migrate", "init", "-d", "aio", "-t", "aioflask")
    assert "aioflask" in (project.path / "aio" / "README").read_text()
    error = project.fails("migrate", "init", "-d", "aio")
    assert "already exists and is not empty" in error


def test_inspection_commands(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "revision", "-m", "one", "--rev-id", "r1")
    project.ok("migrate", "revision", "-m", "two", "--rev-id", "r2", "--branch-label", "main")
    project.ok("migrate", "upgrade", "r1")
    assert project.ok("migrate", "current").stdout.strip() == "r1"
    assert "Revision ID: r1" in project.ok("migrate", "current", "-v").stdout
    assert project.ok("migrate", "heads").stdout.strip() == "r2 (main) (head)"
    assert "Rev: r2 (head)" in project.ok("migrate", "heads", "-v").stdout
    assert "Rev: r2 (head)" in project.ok("migrate", "show").stdout
    assert "Rev: r1" in project.ok("migrate", "show", "r1").stdout
    history = project.ok("migrate", "history", "-i").stdout
    assert (
        "r1 -> r2 (main) (head), two" in history and "<base> -> r1 (main) (current), one" in history
    )
    assert project.ok("migrate", "history", "-r", "r2:").stdout.count("->") == 1
    assert project.ok("migrate", "branches").stdout == ""


def test_branches_and_merge(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "revision", "-m", "root", "--rev-id", "b0")
    project.ok("migrate", "revision", "-m", "left", "--rev-id", "b1")
    project.ok("migrate", "revision", "-m", "right", "--rev-id", "b2", "--head", "b0", "--splice")
    assert set(project.ok("migrate", "heads").stdout.split()) == {"b1", "b2", "(head)"}
    assert "b0 (branchpoint)" in project.ok("migrate", "branches").stdout
    error = project.fails("migrate", "upgrade")
    assert "Multiple head revisions" in error
    project.ok("migrate", "merge", "-m", "join", "--rev-id", "m3", "b1", "b2")
    assert project.ok("migrate", "heads").stdout.strip() == "m3 (head)"
    project.ok("migrate", "upgrade")
    assert project.version() == {"m3"}


def test_stamp(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    project.ok("migrate", "stamp")
    (rev,) = project.version()
    assert "user" not in project.tables(), "stamp must not run migrations"
    project.ok("migrate", "stamp", "base")
    assert project.version() == set()
    project.ok("migrate", "stamp", "--purge", "head")
    assert project.version() == {rev}
    sql = project.ok("migrate", "stamp", "--sql", "head:base").stdout
    assert f"DELETE FROM alembic_version WHERE alembic_version.version_num = '{rev}'" in sql
    assert project.version() == {rev}


def test_edit_opens_the_revision_in_the_editor(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "revision", "-m", "one", "--rev-id", "e1")
    editor = project.path / "editor.py"
    editor.write_text(
        f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'a').write('# edited\\n')\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {"EDITOR": str(editor), "VISUAL": str(editor)}
    project.ok("migrate", "edit", "e1", **env)
    (path,) = project.revisions()
    assert path.read_text().endswith("# edited\n")
    project.ok("migrate", "upgrade")
    project.ok("migrate", "edit", **env)  # default: head
    assert path.read_text().endswith("# edited\n# edited\n")


def test_check(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    error = project.fails("migrate", "check")
    assert "Target database is not up to date" in error
    project.ok("migrate", "upgrade")
    assert "No new upgrade operations detected" in project.ok("migrate", "check").stdout
    project.write_models(project.V2)
    assert "New upgrade operations detected" in project.fails("migrate", "check")


def test_x_arg_reaches_env_py(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    env_py = project.path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text() + "\nprint('x args:', context.get_x_argument(as_dictionary=True))\n"
    )
    result = project.ok("migrate", "upgrade", "-x", "tenant=acme", "--x-arg", "dry=1")
    assert "x args: {'tenant': 'acme', 'dry': '1'}" in result.stdout


def test_revision_without_changes_writes_nothing(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    project.ok("migrate", "upgrade")
    result = project.ok("migrate", "migrate", "-m", "nothing")
    assert "No changes in schema detected." in result.stderr
    assert len(project.revisions()) == 1


def test_options_before_the_command_as_flask_db(sqlite_project):
    # flask db -d DIR -x ARG upgrade: the group's options apply to the command
    project = sqlite_project
    project.ok("migrate", "-d", "other", "init")
    assert (project.path / "other" / "env.py").is_file()
    project.ok("migrate", "-d", "other", "migrate", "-m", "users")
    env_py = project.path / "other" / "env.py"
    env_py.write_text(env_py.read_text() + "\nprint('x:', context.get_x_argument())\n")
    result = project.ok("migrate", "--directory", "other", "-x", "a=1", "upgrade")
    assert "x: ['a=1']" in result.stdout
    assert "user" in project.tables()
    # both apply, the group's first, as with `flask db -x a=1 upgrade -x b=2`
    result = project.ok("migrate", "-d", "other", "-x", "a=1", "upgrade", "-x", "b=2")
    assert "x: ['a=1', 'b=2']" in result.stdout
    error = project.fails("migrate", "-d", "other", "current", "-d", "nowhere")
    assert "nowhere" in error
