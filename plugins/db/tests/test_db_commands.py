"""db create / drop / recreate / tables / info and the shell context, on SQLite, in-process."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

import flask_script_hub_db.plugin
from flask_script_hub import Manager
from flask_script_hub.testing import ManagerRunner

ENV = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


def test_create_makes_every_table_and_is_idempotent(project):
    result = project.invoke("db", "create")
    assert result.exit_code == 0, result.output
    assert "created 3 table(s)" in result.stdout
    assert "users, posts, comments" in result.stdout
    assert project.table_names() == {"users", "posts", "comments"}

    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (1, 'Ann', 1)"))
    again = project.invoke("db", "create")
    assert again.exit_code == 0, again.output
    assert "all 3 table(s) exist already" in again.stdout
    assert project.count("users") == 1  # existing tables untouched


def test_create_adds_only_missing_tables(project):
    with project.app.app_context():
        project.models["User"].__table__.create(project.db.engines[None])
    result = project.invoke("db", "create")
    assert result.exit_code == 0
    assert "created 2 table(s)" in result.stdout and "posts, comments" in result.stdout


def test_create_without_models_has_nothing_to_do(make_project):
    project = make_project(with_models=False)
    result = project.invoke("db", "create")
    assert result.exit_code == 0
    assert "no models are defined: nothing to create" in result.stdout
    assert project.table_names() == set()


def test_other_commands_without_models_exit_1(make_project):
    project = make_project(with_models=False)
    for args in (["drop", "--yes"], ["tables"], ["populate"], ["recreate", "--yes"]):
        result = project.invoke("db", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("error: no models:"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_app_without_flask_sqlalchemy(tmp_path):
    app = Flask("plain", root_path=str(tmp_path))
    manager = Manager(app)
    manager.register_plugin(flask_script_hub_db.plugin, name="db")
    for args in (["create"], ["drop", "--yes"], ["tables"], ["populate"], ["recreate", "--yes"]):
        result = ManagerRunner().invoke(manager, ["db", *args], env=ENV)
        assert result.exit_code == 1, args
        assert result.stderr == (
            "error: the app 'plain' has no Flask-SQLAlchemy extension: create "
            "db = flask_sqlalchemy.SQLAlchemy() and call db.init_app(app)\n"
        )


def test_drop_refuses_without_terminal_and_drops_nothing(project):
    project.create()
    result = project.invoke("db", "drop", input="y\n")
    assert result.exit_code == 1
    assert "users: 0 rows" in result.stdout  # what would go is shown first
    assert result.stderr == (
        "error: refusing to drop tables without --yes: stdin is not a terminal; "
        "nothing was changed\n"
    )
    assert project.table_names() == {"users", "posts", "comments"}


def test_drop_shows_tables_and_row_counts_then_drops_with_yes(project):
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(
            sa.text("INSERT INTO users (id, name, active) VALUES (1, 'a', 1), (2, 'b', 1)")
        )
        conn.execute(sa.text("INSERT INTO posts (id, user_id, title) VALUES (1, 1, 't')"))
    result = project.invoke("db", "drop", "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("default database (sqlite:///")
    assert "  users: 2 rows" in lines
    assert "  posts: 1 row" in lines
    assert "  comments: 0 rows" in lines
    assert lines[-1] == "dropped 3 table(s)"
    assert project.table_names() == set()


def test_drop_with_nothing_created(project):
    result = project.invoke("db", "drop")
    assert result.exit_code == 0
    assert result.stdout == "no model table exists: nothing to drop\n"


def test_recreate_refuses_without_terminal(project):
    project.create()
    project.write("data/users.csv", "id,name\n1,Ann\n")
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (7, 'kept', 1)"))
    result = project.invoke("db", "recreate")
    assert result.exit_code == 1
    assert "refusing to drop tables without --yes" in result.stderr
    assert project.rows("SELECT id, name FROM users") == [(7, "kept")]


def test_recreate_yes_drops_creates_and_populates(project):
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (7, 'old', 1)"))
    project.write("fixtures/default/users.csv", "id,name\n1,Ann\n2,Bob\n")
    project.write("fixtures/sample/posts.csv", "id,user_id,title\n1,1,Hi\n")
    result = project.invoke("db", "recreate", "--yes", "--default-data")
    assert result.exit_code == 0, result.output
    assert "dropped 3 table(s)" in result.stdout
    assert "created 3 table(s)" in result.stdout
    assert "users: 2 inserted, 0 updated" in result.stdout
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [(1, "Ann"), (2, "Bob")]
    assert project.count("posts") == 0  # --sample-data was not given

    result = project.invoke("db", "recreate", "--yes", "--default-data", "--sample-data")
    assert result.exit_code == 0, result.output
    assert project.count("posts") == 1


def test_recreate_checks_fixture_files_before_dropping(project):
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (7, 'kept', 1)"))
    project.write("fixtures/default/users.csv", "id,name,age\n1,Ann,old\n")
    result = project.invoke("db", "recreate", "--yes", "--default-data")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: fixtures/default/users.csv, line 2, column 'age': invalid integer 'old'; "
        "nothing was changed\n"
    ).replace("fixtures/", f"{_rel(project.root)}/fixtures/")
    assert project.rows("SELECT id, name FROM users") == [(7, "kept")]


def _rel(path):
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def test_tables_lists_tables_counts_and_url(project):
    result = project.invoke("db", "tables")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == f"default database: {project.app.config['SQLALCHEMY_DATABASE_URI']}"
    )
    assert "(not created)" in result.stdout
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (1, 'a', 1)"))
    result = project.invoke("db", "info")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[2:]}
    assert rows == {"users": "1", "posts": "0", "comments": "0"}


def test_binds(make_project, tmp_path):
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    project = make_project(binds={"audit": audit})
    result = project.invoke("db", "create", "--bind", "audit")
    assert result.exit_code == 0, result.output
    assert "created 1 table(s) in bind 'audit'" in result.stdout
    assert project.table_names("audit") == {"events"}
    assert project.table_names() == set()

    result = project.invoke("db", "create")
    assert "created 3 table(s) in default database" in result.stdout
    assert "all 1 table(s) exist already in bind 'audit'" in result.stdout

    project.write("data/events.jsonl", '{"id": 1, "kind": "login"}\n')
    project.write("data/users.csv", "id,name\n1,Ann\n")
    result = project.invoke("db", "populate", str(project.root / "data"))
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT kind FROM events", bind="audit") == [("login",)]
    assert project.count("users") == 1

    result = project.invoke("db", "tables")
    assert f"bind 'audit': {audit}" in result.stdout
    assert "events" in result.stdout

    result = project.invoke("db", "drop", "--bind", "audit", "--yes")
    assert result.exit_code == 0
    assert project.table_names("audit") == set()
    assert project.table_names() == {"users", "posts", "comments"}

    result = project.invoke("db", "create", "--bind", "nope")
    assert result.exit_code == 1
    assert (
        result.stderr == "error: no bind named 'nope' in SQLALCHEMY_BINDS (binds: default, audit)\n"
    )


def test_connection_failure_is_one_line_with_the_password_masked(make_project):
    url = "postgresql+psycopg://alice:s3cret-pw@127.0.0.1:1/nodb"
    project = make_project(url)
    for args in (["create"], ["drop", "--yes"], ["tables"], ["populate"], ["recreate", "--yes"]):
        result = project.invoke("db", *args)
        assert result.exit_code == 1, args
        assert "s3cret-pw" not in result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(
            "error: cannot connect to postgresql+psycopg://alice:***@127.0.0.1:1/nodb: OperationalError:"
        ), lines[0]
        assert "refused" in lines[0] or "failed" in lines[0]


def test_missing_database_file_folder_is_a_connection_error(make_project, tmp_path):
    project = make_project(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'app.sqlite'}")
    result = project.invoke("db", "create")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot connect to sqlite:///")
    assert "unable to open database file" in result.stderr


def test_shell_context_has_db_and_every_model(project):
    project.create()
    code = "print(type(db).__name__, User.__tablename__, Post.__tablename__, Comment.__tablename__)"
    result = ManagerRunner().invoke(
        project.manager,
        ["shell", "--no-ipython", "--no-bpython", "--no-ptpython", "-c", code],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "SQLAlchemy users posts comments\n"


def test_help_documents_the_primary_key_policy(project):
    result = project.invoke("db", "populate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "A row whose primary key already exists is updated with the file's values" in text


def test_usage_error_exits_2(project):
    result = project.invoke("db", "create", "--nope")
    assert result.exit_code == 2
    assert "unrecognized arguments: --nope" in result.stderr
