"""create / drop / populate / rollback on SQLite, PostgreSQL and MariaDB (a scratch database each).

PostgreSQL and MariaDB run when TEST_POSTGRESQL_URL / TEST_MARIADB_URL are set (CI sets them).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa


def rel(path) -> str:
    """How messages show a path: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def test_create_populate_twice_and_drop(make_project, any_url):
    project = make_project(any_url)
    result = project.invoke("db", "create")
    assert result.exit_code == 0, result.output
    assert "created 3 table(s)" in result.stdout
    assert project.invoke("db", "create").stdout.count("exist already") == 1

    project.write(
        "fixtures/default/users.csv",
        "id,name,email,active,joined\n1,Ann,a@example.org,yes,2024-02-29\n2,Bob,,no,\n",
    )
    project.write(
        "fixtures/default/posts.jsonl", '{"id": 1, "user_id": 2, "title": "Hi", "score": 2.5}\n'
    )
    project.write("fixtures/sample/comments.json", '[{"id": 1, "post_id": 1, "body": "nice"}]')
    result = project.invoke("db", "populate", "--default-data", "--sample-data")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "users: 2 inserted, 0 updated\nposts: 1 inserted, 0 updated\ncomments: 1 inserted, 0 updated\n"
    )
    result = project.invoke("db", "populate", "--default-data", "--sample-data")
    assert result.exit_code == 0, result.output
    assert "users: 0 inserted, 2 updated" in result.stdout
    rows = project.rows("SELECT id, name, active FROM users ORDER BY id")
    assert [(i, n, bool(a)) for i, n, a in rows] == [(1, "Ann", True), (2, "Bob", False)]

    result = project.invoke("db", "tables")
    assert result.exit_code == 0
    assert project.app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1] in result.stdout

    result = project.invoke("db", "drop")
    assert result.exit_code == 1
    assert project.table_names() >= {"users", "posts", "comments"}
    result = project.invoke("db", "drop", "--yes")
    assert result.exit_code == 0, result.output
    assert "  users: 2 rows" in result.stdout
    assert not project.table_names() & {"users", "posts", "comments"}


def test_constraint_violation_rolls_back_everything(make_project, any_url):
    project = make_project(any_url)
    project.create()
    project.write("data/users.csv", "id,name,email\n1,Ann,a@example.org\n2,Bob,b@example.org\n")
    bad = project.write("data/posts.csv", "id,user_id,title\n1,1,ok\n2,99,orphan\n")
    result = project.invoke("db", "populate", str(project.root / "data"))
    if sa.engine.make_url(any_url).get_backend_name() == "sqlite":
        # SQLite checks foreign keys only with PRAGMA foreign_keys=ON: use a UNIQUE violation
        assert result.exit_code == 0
        project.invoke("db", "drop", "--yes")
        project.create()
        bad = project.write("data/posts.csv", "id,user_id,title\n1,1,ok\n1,1,again\n")
        result = project.invoke("db", "populate", str(project.root / "data"))
        column = "id"
    else:
        column = "user_id"
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith(
        f"error: {rel(bad)}, line 3, column '{column}': the database refused the row: "
    ), line
    assert "IntegrityError" in line or "ForeignKeyViolation" in line or "UniqueViolation" in line
    assert line.endswith("nothing was loaded (rolled back)")
    assert len(result.stderr.splitlines()) == 1
    assert project.count("users") == 0
    assert project.count("posts") == 0


def test_wrong_password_is_masked(make_project, any_url):
    url = sa.engine.make_url(any_url)
    if url.get_backend_name() == "sqlite":
        url = sa.engine.make_url("postgresql+psycopg://nobody:hunter2-secret@127.0.0.1:1/x")
    else:
        url = url.set(username="no_such_user_fsh", password="hunter2-secret")
    project = make_project(url.render_as_string(hide_password=False))
    result = project.invoke("db", "tables")
    assert result.exit_code == 1
    assert "hunter2-secret" not in result.output
    # Flask-SQLAlchemy adds ?charset=utf8mb4 to MySQL URLs
    assert result.stderr.startswith(
        f"error: cannot connect to {url.render_as_string(hide_password=True)}"
    )
    assert "OperationalError" in result.stderr
    assert len(result.stderr.splitlines()) == 1
