"""Safety: --sql never touches the database; downgrade asks first; a failure changes nothing."""

from __future__ import annotations

import sys

import pytest

from flask_script_hub.testing import run_in_terminal


def _one_revision(project):
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    (path,) = project.revisions()
    return path.name.split("_")[0]


def test_sql_mode_never_connects(sqlite_project, tmp_path):
    project = sqlite_project
    rev = _one_revision(project)
    database_file = tmp_path / "app.sqlite"
    database_file.unlink(missing_ok=True)
    # a server that does not exist: connecting at all would fail
    nowhere = {"DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/nowhere"}
    upgrade = project.ok("migrate", "upgrade", "--sql", **nowhere)
    assert 'CREATE TABLE "user"' in upgrade.stdout
    assert f"INSERT INTO alembic_version (version_num) VALUES ('{rev}')" in upgrade.stdout
    downgrade = project.ok("migrate", "downgrade", "--sql", f"{rev}:base", **nowhere)
    assert 'DROP TABLE "user"' in downgrade.stdout  # no confirmation asked for --sql
    stamp = project.ok("migrate", "stamp", "--sql", **nowhere)
    assert "INSERT INTO alembic_version" in stamp.stdout
    assert "secret" not in upgrade.stdout + upgrade.stderr
    # and on the app's own SQLite database: the file is not even created
    project.ok("migrate", "upgrade", "--sql")
    assert not database_file.exists()


def test_sql_mode_leaves_a_real_database_alone(project):
    _one_revision(project)
    before = project.tables()  # autogenerate created the (empty) version table
    assert "user" not in before
    assert "CREATE TABLE" in project.ok("migrate", "upgrade", "--sql").stdout
    assert project.tables() == before and project.version() == set()


def test_downgrade_refuses_without_yes_off_a_terminal(sqlite_project):
    project = sqlite_project
    rev = _one_revision(project)
    project.ok("migrate", "upgrade")
    error = project.fails("migrate", "downgrade", "base")
    assert "Refusing to downgrade" in error and "without --yes" in error
    # typing "y" on a pipe does not count
    result = project.run("migrate", "downgrade", input="y\n")
    assert result.returncode == 1
    assert project.version() == {rev} and "user" in project.tables()


def _run_on_terminal(project, args, answer):
    """Run manage.py on a pseudo-terminal, typing ``answer`` at the question."""
    result = run_in_terminal(
        [sys.executable, "manage.py", *args],
        cwd=project.path,
        env=project.env(),
        answers=[("[y/N]", answer)],
    )
    return result.returncode, result.output


@pytest.mark.parametrize(("answer", "downgraded"), [("\n", False), ("n\n", False), ("y\n", True)])
def test_downgrade_asks_on_a_terminal(sqlite_project, answer, downgraded):
    project = sqlite_project
    rev = _one_revision(project)
    project.ok("migrate", "upgrade")
    code, out = _run_on_terminal(project, ["migrate", "downgrade"], answer)
    assert f"Downgrade sqlite:///{project.path / 'app.sqlite'} to revision '-1'?" in out
    if downgraded:
        assert code == 0, out
        assert project.version() == set() and "user" not in project.tables()
    else:
        assert code == 1
        assert "Downgrade cancelled; nothing was changed." in out
        assert project.version() == {rev} and "user" in project.tables()


def test_downgrade_message_masks_the_password(postgresql_project):
    project = postgresql_project
    _one_revision(project)
    project.ok("migrate", "upgrade")
    from sqlalchemy import make_url

    url = make_url(project.database_url).set(password="s3cret")
    error = project.fails("migrate", "downgrade", DATABASE_URL=url.render_as_string(False))
    assert "s3cret" not in error and "***" in error


def test_failing_downgrade_names_the_revision(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.add_revision(
        "d1",
        "table",
        upgrade="op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))",
        downgrade="op.drop_table('t')\nop.execute('DELETE FROM no_such_table')",
    )
    project.ok("migrate", "upgrade")
    error = project.fails("migrate", "downgrade", "--yes")
    assert "revision d1 (table) failed in downgrade(): OperationalError: no such table" in error
    assert error.endswith("the database is at revision d1")
    assert "t" in project.tables(), "the failed downgrade was not rolled back"


def test_plugin_registered_without_installing(tmp_path, monkeypatch):
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    import flask_script_hub_migrate.plugin
    from flask_script_hub import Manager
    from flask_script_hub.testing import ManagerRunner

    monkeypatch.chdir(tmp_path)
    app = Flask("registered")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'r.sqlite'}"
    SQLAlchemy(app)
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
    manager = Manager(app)
    manager.register_plugin(flask_script_hub_migrate.plugin, name="migrate")
    result = ManagerRunner().invoke(manager, ["migrate", "init"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "using Migrate(app, db)" in result.stderr
    assert (tmp_path / "migrations" / "env.py").is_file()
