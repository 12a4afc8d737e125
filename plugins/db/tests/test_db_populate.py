"""db populate on SQLite, in-process: formats, order, idempotence, rollback, hooks, progress."""

from __future__ import annotations

import json
from pathlib import Path

import faker
import pluggy
import pytest

from flask_script_hub import hookimpl


def rel(path) -> str:
    """How messages show a path: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


USERS_CSV = (
    "id,name,email,age,active,joined\n1,Ann,ann@example.org,31,true,2024-01-31\n2,Bob,,,0,\n"
)
POSTS_JSON = json.dumps(
    [
        {"id": 1, "user_id": 1, "title": "Hello", "score": 4.5},
        {"id": 2, "user_id": 2, "title": "Hi"},
    ]
)
COMMENTS_JSONL = (
    '{"id": 1, "post_id": 1, "body": "first"}\n\n{"id": 2, "post_id": 2, "body": "second"}\n'
)


def test_csv_json_jsonl_from_paths_in_dependency_order(project):
    project.create()
    # given in reverse dependency order: comments -> posts -> users
    comments = project.write("data/comments.jsonl", COMMENTS_JSONL)
    posts = project.write("data/posts.json", POSTS_JSON)
    users = project.write("other/users.csv", USERS_CSV)
    result = project.invoke("db", "populate", str(comments), str(posts), str(users))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "users: 2 inserted, 0 updated\nposts: 2 inserted, 0 updated\ncomments: 2 inserted, 0 updated\n"
    )
    assert result.stderr == ""  # no progress bar: not a terminal
    assert project.rows("SELECT id, name, email, age, active, joined FROM users ORDER BY id") == [
        (1, "Ann", "ann@example.org", 31, 1, "2024-01-31"),
        (2, "Bob", None, None, 0, None),
    ]
    assert project.rows("SELECT id, user_id, title, score FROM posts ORDER BY id") == [
        (1, 1, "Hello", 4.5),
        (2, 2, "Hi", None),
    ]
    assert project.count("comments") == 2


def test_default_and_sample_folders(project):
    project.create()
    project.write("fixtures/default/users.csv", USERS_CSV)
    project.write("fixtures/sample/posts.json", POSTS_JSON)
    project.write("fixtures/sample/README.txt", "not a fixture")
    result = project.invoke("db", "populate", "--default-data")
    assert result.exit_code == 0, result.output
    assert (project.count("users"), project.count("posts")) == (2, 0)
    result = project.invoke("db", "populate", "--sample-data")
    assert result.exit_code == 0, result.output
    assert (project.count("users"), project.count("posts")) == (2, 2)


def test_fixtures_folder_is_configurable(project):
    project.create()
    project.app.config["DB_FIXTURES_FOLDER"] = "seed"
    project.write("seed/default/users.csv", USERS_CSV)
    result = project.invoke("db", "populate", "--default-data")
    assert result.exit_code == 0, result.output
    assert project.count("users") == 2


def test_missing_fixture_folder_is_an_error(project):
    project.create()
    result = project.invoke("db", "populate", "--sample-data")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {rel(project.root / 'fixtures' / 'sample')}: no such folder for --sample-data "
        "(DB_FIXTURES_FOLDER is 'fixtures', below the app's root_path); nothing was loaded\n"
    )
    result = project.invoke("db", "recreate", "--yes", "--default-data")
    assert result.exit_code == 1
    assert "no such folder for --default-data" in result.stderr
    assert result.stderr.endswith("nothing was changed\n")


def test_missing_fixture_folder_is_a_note_when_a_hook_may_give_the_data(make_project):
    project = make_project(plugins=[(FakeUsers(), "fakeusers")])
    project.create()
    result = project.invoke("db", "populate", "--default-data")
    assert result.exit_code == 0, result.output
    assert (
        result.stderr == f"note: no fixture folder {rel(project.root / 'fixtures' / 'default')}\n"
    )
    assert result.stdout == "db_populate hook: fakeusers\n"


def test_running_twice_updates_rows_and_never_duplicates(project):
    project.create()
    users = project.write("data/users.csv", USERS_CSV)
    assert project.invoke("db", "populate", str(users)).exit_code == 0
    users.write_text(USERS_CSV.replace("Ann,", "Anna,") + "3,Cid,cid@example.org,,1,\n")
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 0, result.output
    assert result.stdout == "users: 1 inserted, 2 updated\n"
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [
        (1, "Anna"),
        (2, "Bob"),
        (3, "Cid"),
    ]


def test_update_keeps_columns_the_file_does_not_give(project):
    project.create()
    assert (
        project.invoke("db", "populate", str(project.write("a/users.csv", USERS_CSV))).exit_code
        == 0
    )
    result = project.invoke(
        "db", "populate", str(project.write("b/users.json", '[{"id": 1, "name": "Z"}]'))
    )
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT name, email, age FROM users WHERE id = 1") == [
        ("Z", "ann@example.org", 31)
    ]


def test_rows_without_primary_key_get_one(project):
    project.create()
    result = project.invoke(
        "db", "populate", str(project.write("d/users.csv", "id,name\n,Ann\n,Bob\n"))
    )
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [(1, "Ann"), (2, "Bob")]


@pytest.mark.parametrize(
    ("name", "text", "where", "message"),
    [
        (
            "users.csv",
            "id,name,age\n1,Ann,31\n2,Bob,old\n",
            "line 3, column 'age'",
            "invalid integer 'old'",
        ),
        (
            "users.csv",
            "id,name,nmae\n1,Ann,x\n",
            "line 2, column 'nmae'",
            "the table 'users' has no such column",
        ),
        (
            "users.csv",
            "id,name\n1,\n",
            "line 2, column 'name'",
            "empty, but the column is NOT NULL",
        ),
        (
            "users.csv",
            "id,name,joined\n1,Ann,31/01/2024\n",
            "line 2, column 'joined'",
            "invalid date '31/01/2024'",
        ),
        (
            "users.csv",
            "id,name,active\n1,Ann,maybe\n",
            "line 2, column 'active'",
            "invalid boolean 'maybe'",
        ),
        (
            "users.csv",
            f"id,name\n1,{'x' * 51}\n",
            "line 2, column 'name'",
            "51 characters, more than the column's 50",
        ),
        ("users.csv", "id,name\n1,Ann,extra\n", "line 2", "3 cells, but the header has 2 columns"),
        (
            "users.json",
            '[{"id": 1, "name": "Ann"}, {"id": "two", "name": "Bob"}]',
            "item 2, column 'id'",
            "invalid integer 'two'",
        ),
        ("users.json", '{"id": 1}', None, "expected a JSON array of objects"),
        ("users.json", '[{"id": 1,}]', "line 1", "bad JSON"),
        (
            "users.jsonl",
            '{"id": 1, "name": "Ann"}\n{"id": 2, "name": 3.5e1, "age": true}\n',
            "line 2, column 'age'",
            "invalid integer True",
        ),
        (
            "users.jsonl",
            '{"id": 1, "name": "Ann"}\n[1, 2]\n',
            "line 2",
            "expected a JSON object, got list",
        ),
    ],
)
def test_bad_row_rolls_everything_back_and_names_file_row_and_column(
    project, name, text, where, message
):
    project.create()
    good = project.write(
        "data/posts.csv", "id,user_id,title\n1,1,ok\n"
    )  # loads first... after users
    project.write("data/comments.csv", "id,post_id,body\n1,1,fine\n")
    project.write("ok/users.csv", "id,name\n1,Ann\n")
    bad = project.write(f"bad/{name}", text)
    result = project.invoke("db", "populate", str(project.root / "ok"), str(good.parent), str(bad))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"error: {rel(bad)}, {where}: " if where else f"error: {rel(bad)}: "
    assert lines[0].startswith(prefix + message), lines[0]
    assert lines[0].endswith("nothing was loaded (rolled back)")
    assert "Traceback" not in result.output
    for table in ("users", "posts", "comments"):
        assert project.count(table) == 0, table


def test_row_refused_by_the_database_is_named(project):
    project.create()
    project.write("ok/users.csv", "id,name,email\n1,Ann,a@example.org\n")
    rows = "".join(f"{i},U{i},u{i}@example.org\n" for i in range(2, 2500))
    bad = project.write("bad/users.csv", f"id,name,email\n{rows}2500,Dup,a@example.org\n")
    result = project.invoke("db", "populate", str(project.root / "ok"), str(bad))
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {rel(bad)}, line 2500, column 'email': the database refused the row: "
        "IntegrityError: UNIQUE constraint failed: users.email; nothing was loaded (rolled back)\n"
    )
    assert project.count("users") == 0


def test_unknown_table_and_missing_path(project):
    project.create()
    result = project.invoke("db", "populate", str(project.write("d/usres.csv", "id\n1\n")))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {rel(project.root / 'd' / 'usres.csv')}: no table named 'usres' "
        "(tables: comments, posts, users); nothing was loaded\n"
    )
    result = project.invoke("db", "populate", str(project.root / "nope.csv"))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {rel(project.root / 'nope.csv')}: no such file or folder; nothing was loaded\n"
    )


class FakeUsers:
    """A db_populate hook making users with Faker, as an app or another plugin would."""

    def __init__(self) -> None:
        self.calls: list[tuple[bool, bool]] = []

    @hookimpl
    def db_populate(self, app, db, default_data, sample_data):
        self.calls.append((default_data, sample_data))
        if not sample_data:
            return
        fake = faker.Faker()
        fake.seed_instance(1)
        User = db.Model.registry._class_registry["User"]
        for i in range(100, 105):
            db.session.merge(User(id=i, name=fake.name(), email=f"user{i}@example.org"))


def test_hook_adds_rows_in_the_same_transaction(make_project):
    hook = FakeUsers()
    project = make_project(plugins=[(hook, "fakeusers")])
    project.create()
    project.write("fixtures/default/users.csv", USERS_CSV)
    result = project.invoke("db", "populate", "--default-data", "--sample-data")
    assert result.exit_code == 0, result.output
    assert hook.calls == [(True, True)]
    assert "db_populate hook: fakeusers" in result.stdout
    assert project.count("users") == 7
    result = project.invoke("db", "populate", "--default-data", "--sample-data")
    assert result.exit_code == 0, result.output
    assert project.count("users") == 7  # merge: no duplicates


class FailingHook:
    @hookimpl
    def db_populate(self, app, db, default_data, sample_data):
        User = db.Model.registry._class_registry["User"]
        db.session.add(User(id=50, name="from hook"))
        raise RuntimeError("the fake data service is down")


class ExitingHook:
    @hookimpl
    def db_populate(self, app, db, default_data, sample_data):
        User = db.Model.registry._class_registry["User"]
        db.session.add(User(id=51, name="from hook"))
        raise SystemExit("no more data")


class RefusedHook:
    @hookimpl
    def db_populate(self, app, db, default_data, sample_data):
        User = db.Model.registry._class_registry["User"]
        db.session.add(User(id=1, name="duplicate of the fixture"))


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (FailingHook(), "RuntimeError: the fake data service is down"),
        (ExitingHook(), "SystemExit: no more data"),
        (
            RefusedHook(),
            "the database refused its rows: IntegrityError: UNIQUE constraint failed: users.id",
        ),
    ],
)
def test_failing_hook_rolls_back_the_fixtures_too(make_project, hook, message):
    project = make_project(plugins=[(hook, "badhook")])
    project.create()
    project.write("fixtures/default/users.csv", USERS_CSV)
    result = project.invoke("db", "populate", "--default-data")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: the db_populate hook of badhook failed: {message}\n"
    assert project.count("users") == 0


def test_progress_bar_is_silent_without_a_terminal(project):
    project.create()
    rows = "".join(
        f"{i},User {i},u{i}@example.org,{i % 90},1,2024-01-01\n" for i in range(1, 20001)
    )
    users = project.write("big/users.csv", "id,name,email,age,active,joined\n" + rows)
    assert users.stat().st_size > 512 * 1024
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 0, result.output
    assert result.stdout == "users: 20000 inserted, 0 updated\n"
    assert result.stderr == ""
    assert project.count("users") == 20000


class WrongArguments:
    @hookimpl
    def db_populate(self, app, database):
        raise AssertionError("never called")


def test_hook_with_wrong_arguments_fails_at_registration(make_project):
    # the db plugin adds the db_populate spec when it is registered (its add_hookspecs hook), so
    # a mismatching implementation is refused by register_plugin, before any command runs
    with pytest.raises(pluggy.PluginValidationError, match="database"):
        make_project(plugins=[(WrongArguments(), "wrong")])


def test_json_objects_may_differ_in_columns_and_hold_nulls(project):
    project.create()
    users = project.write(
        "d/users.jsonl",
        '{"id": 1, "name": "Ann"}\n'
        '{"name": "Bob", "id": 2, "age": 40, "joined": "2024-03-01"}\n'
        '{"id": 3, "name": "Cid", "email": null, "active": false}\n',
    )
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT id, name, age, active, joined FROM users ORDER BY id") == [
        (1, "Ann", None, 1, None),
        (2, "Bob", 40, 1, "2024-03-01"),
        (3, "Cid", None, 0, None),
    ]
    result = project.invoke("db", "populate", str(users))
    assert result.stdout == "users: 0 inserted, 3 updated\n"
    assert project.count("users") == 3


def test_big_json_batches_convert_dates_and_check_types(project):
    project.create()
    items = [
        {"id": i, "name": f"U{i}", "joined": "2024-01-02", "age": i % 50} for i in range(1, 4501)
    ]
    items[4321]["age"] = "12x"
    users = project.write("d/users.json", json.dumps(items))
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {rel(users)}, item 4322, column 'age': invalid integer '12x'; nothing was loaded (rolled back)\n"
    )
    items[4321]["age"] = 4322 % 50
    users.write_text(json.dumps(items))
    result = project.invoke("db", "populate", str(users))
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT COUNT(*), MIN(joined), SUM(age) FROM users") == [
        (4500, "2024-01-02", sum(i % 50 for i in range(1, 4501)))
    ]
