"""The day after populate / drop / recreate: the app's ordinary path still works, on every backend.

Sequences and AUTO_INCREMENT past the loaded ids, native upserts, column names that cannot collide
with anything internal, atomic ``recreate``, ``drop`` refusing foreign keys from outside the
models, and the Alembic version table. SQLite always; PostgreSQL and MariaDB when
TEST_POSTGRESQL_URL / TEST_MARIADB_URL are set (CI sets them).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa


def backend(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


def add_user_the_ordinary_way(project, name: str = "New") -> int:
    """What the app does the next day: ``db.session.add()``, commit, query."""
    User = project.models["User"]
    with project.app.app_context():
        user = User(name=name)
        project.db.session.add(user)
        project.db.session.commit()
        new_id = user.id
        assert project.db.session.get(User, new_id).name == name
        project.db.session.remove()
    return int(new_id)


def test_ordinary_insert_works_after_populate_with_explicit_ids(make_project, any_url):
    project = make_project(any_url)
    project.create()
    users = project.write("d/users.csv", "id,name\n1,Ann\n2,Bob\n40,Cid\n")
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 0, result.output
    assert add_user_the_ordinary_way(project) == 41
    # and again after a second populate (the upsert path) and after recreate
    result = project.invoke(
        "db", "populate", str(project.write("e/users.jsonl", '{"id": 77, "name": "Dee"}\n'))
    )
    assert result.exit_code == 0, result.output
    assert add_user_the_ordinary_way(project) == 78
    project.write("fixtures/default/users.csv", "id,name\n5,Eve\n")
    result = project.invoke("db", "recreate", "--yes", "--default-data")
    assert result.exit_code == 0, result.output
    assert add_user_the_ordinary_way(project) == 6
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [(5, "Eve"), (6, "New")]


def test_upsert_keeps_columns_the_file_does_not_give(make_project, any_url):
    project = make_project(any_url)
    project.create()
    users = project.write("a/users.csv", "id,name,email,age\n1,Ann,ann@example.org,31\n2,Bob,,\n")
    assert project.invoke("db", "populate", str(users)).exit_code == 0
    update = project.write(
        "b/users.jsonl", '{"id": 1, "name": "Anna"}\n{"id": 3, "name": "Cid"}\n{"id": 2}\n'
    )
    result = project.invoke("db", "populate", str(update))
    assert result.exit_code == 0, result.output
    assert result.stdout == "users: 1 inserted, 2 updated\n"
    assert project.rows("SELECT id, name, email, age FROM users ORDER BY id") == [
        (1, "Anna", "ann@example.org", 31),
        (2, "Bob", None, None),
        (3, "Cid", None, None),
    ]
    assert add_user_the_ordinary_way(project) == 4


def test_upsert_is_one_native_statement_per_batch(make_project, any_url):
    """No SELECT decides insert-or-update: the dialect's upsert does, so concurrent writers
    cannot make it fail between a look-up and a write."""
    project = make_project(any_url)
    project.create()
    assert (
        project.invoke(
            "db", "populate", str(project.write("a/users.csv", "id,name\n1,Ann\n"))
        ).exit_code
        == 0
    )
    statements: list[str] = []
    with project.app.app_context():
        engine = project.db.engines[None]

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(" ".join(statement.split()).upper())

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            result = project.invoke(
                "db", "populate", str(project.write("b/users.csv", "id,name\n1,Anna\n2,Bob\n"))
            )
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE"))]
    assert writes and all(s.startswith("INSERT") for s in writes), writes
    assert any("ON CONFLICT" in s or "ON DUPLICATE KEY UPDATE" in s for s in writes), writes
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [(1, "Anna"), (2, "Bob")]


def test_column_named_like_internal_parameters(make_project, any_url):
    project = make_project(any_url)
    db = project.db

    class Odd(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "odd"
        id = sa.Column(sa.Integer, primary_key=True)
        pk_id = sa.Column(sa.Integer)
        excluded = sa.Column(sa.String(20))
        inserted = sa.Column(sa.String(20))
        id_1 = sa.Column(sa.Integer)

    project.create()
    path = project.write("d/odd.csv", "id,pk_id,excluded,inserted,id_1\n1,10,a,b,5\n2,20,c,d,6\n")
    for _ in range(2):
        result = project.invoke("db", "populate", str(path))
        assert result.exit_code == 0, result.output
    path.write_text("id,pk_id,excluded,inserted,id_1\n1,11,x,y,7\n")
    result = project.invoke("db", "populate", str(path))
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT id, pk_id, excluded, inserted, id_1 FROM odd ORDER BY id") == [
        (1, 11, "x", "y", 7),
        (2, 20, "c", "d", 6),
    ]


def test_drop_refuses_foreign_keys_from_outside_the_models(make_project, any_url):
    project = make_project(any_url)
    project.create()
    result = project.invoke("db", "populate", str(project.write("d/users.csv", "id,name\n1,Ann\n")))
    assert result.exit_code == 0, result.output
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, user_id INTEGER,"
                " FOREIGN KEY (user_id) REFERENCES users (id))"
            )
        )
    try:
        result = project.invoke("db", "drop", "--yes")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            "error: refusing to drop: the table 'audit_log', which is not a model table, has a "
            "foreign key to 'users'; drop it or its foreign key first; nothing was dropped\n"
        )
        assert project.table_names() >= {"users", "posts", "comments", "audit_log"}
        assert add_user_the_ordinary_way(project) == 2
        result = project.invoke("db", "recreate", "--yes")
        assert result.exit_code == 1
        assert "nothing was dropped" in result.stderr
        assert project.count("users") == 2
    finally:
        with project.app.app_context(), project.db.engines[None].begin() as conn:
            conn.execute(sa.text("DROP TABLE audit_log"))


def _stamp(project, revision: str = "abc123") -> None:
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        conn.execute(sa.text(f"INSERT INTO alembic_version VALUES ('{revision}')"))


def test_drop_and_recreate_drop_the_alembic_version_table_and_say_so(make_project, any_url):
    project = make_project(any_url)
    project.create()
    _stamp(project)
    result = project.invoke("db", "drop", "--yes")
    assert result.exit_code == 0, result.output
    assert "  alembic_version: migration revision abc123" in result.stdout
    assert "dropped the version table alembic_version" in result.stdout
    assert "alembic_version" not in project.table_names()

    project.create()
    _stamp(project)
    result = project.invoke("db", "recreate", "--yes")
    assert result.exit_code == 0, result.output
    assert "alembic_version: migration revision abc123" in result.stdout
    assert (
        "dropped the version table alembic_version of default database: the tables were created "
        "from the models, not by migrations: run 'migrate stamp head' if they match your latest "
        "revision" in result.stdout
    )
    assert "alembic_version" not in project.table_names()
    assert add_user_the_ordinary_way(project) == 1


def test_create_warns_when_migrations_own_the_schema(make_project, any_url):
    project = make_project(any_url)
    _stamp(project, "f00d")
    result = project.invoke("db", "create")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: default database has a migration version table (alembic_version at revision "
        "f00d): migrations, not 'db create', own its schema; use 'migrate upgrade'\n"
    )


def test_recreate_with_a_refused_fixture(make_project, any_url):
    project = make_project(any_url)
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name, active) VALUES (7, 'kept', true)"))
    project.write(
        "fixtures/default/users.csv", "id,name,email\n1,Ann,a@example.org\n2,Bob,a@example.org\n"
    )
    result = project.invoke("db", "recreate", "--yes", "--default-data")
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "line 3, column 'email': the database refused the row" in line, line
    if backend(any_url) == "mysql":
        assert line.endswith(
            "the data was not loaded (rolled back), but the tables of default database were "
            "dropped and created again empty: MariaDB/MySQL commit DROP and CREATE TABLE at once; "
            "fix the file and run 'db populate --default-data'"
        ), line
        assert project.count("users") == 0
    else:
        assert line.endswith("nothing was changed (rolled back: no table was dropped)"), line
        assert project.rows("SELECT id, name FROM users") == [(7, "kept")]
    # MariaDB's AUTO_INCREMENT does not go back after a rollback: any free id is right
    new_id = add_user_the_ordinary_way(project)
    assert project.rows(f"SELECT name FROM users WHERE id = {new_id}") == [("New",)]


def test_version_table_named_by_flask_migrate(make_project, any_url):
    flask_migrate = pytest.importorskip("flask_migrate")
    project = make_project(any_url)
    flask_migrate.Migrate(project.app, project.db, version_table="schema_version")
    project.create()
    with project.app.app_context(), project.db.engines[None].begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE schema_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        conn.execute(sa.text("INSERT INTO schema_version VALUES ('beef')"))
    result = project.invoke("db", "drop", "--yes")
    assert result.exit_code == 0, result.output
    assert "  schema_version: migration revision beef" in result.stdout
    assert "schema_version" not in project.table_names()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_repopulating_a_big_file_updates_and_inserts(make_project, any_url, suffix):
    """On PostgreSQL rows that may exist go through a temporary table and one
    INSERT ... ON CONFLICT; everywhere the result is the same."""
    project = make_project(any_url)
    project.create()
    first = "id,name,email,age\n" + "".join(
        f"{i},U{i},u{i}@example.org,{i % 90}\n" for i in range(1, 3001)
    )
    assert project.invoke("db", "populate", str(project.write("a/users.csv", first))).exit_code == 0
    ids = range(2001, 5001)
    if suffix == ".csv":
        text = "id,name\n" + "".join(f"{i},V{i}\n" for i in ids)
    else:
        text = "".join(f'{{"id": {i}, "name": "V{i}"}}\n' for i in ids)
    result = project.invoke("db", "populate", str(project.write(f"b/users{suffix}", text)))
    assert result.exit_code == 0, result.output
    assert result.stdout == "users: 2000 inserted, 1000 updated\n"
    assert project.rows(
        "SELECT id, name, email, age FROM users WHERE id IN (1, 2500, 4500) ORDER BY id"
    ) == [
        (1, "U1", "u1@example.org", 1),
        (2500, "V2500", "u2500@example.org", 2500 % 90),
        (4500, "V4500", None, None),
    ]
    assert project.rows("SELECT COUNT(*) FROM users WHERE active") == [(5000,)]
    assert add_user_the_ordinary_way(project) == 5001
