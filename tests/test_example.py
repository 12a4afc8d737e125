"""The example blog (examples/blog) end to end: its manage.py and demo.sh run as a user runs them.

Each test copies the example into a temporary folder (as a fresh clone) and runs
``python manage.py ...`` there in a subprocess, against a SQLite file of the test (or a scratch
PostgreSQL / MariaDB database when TEST_POSTGRESQL_URL / TEST_MARIADB_URL is set). The ``db``
and ``migrate`` namespaces come from the installed distributions flask-script-hub-db and
flask-script-hub-migrate, found through their entry points; without them the tests are skipped,
saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "blog"

_installed = {ep.name for ep in entry_points(group="flask_script_hub")}
pytestmark = pytest.mark.skipif(
    not {"db", "migrate"} <= _installed,
    reason="the example needs the db and migrate plugins installed "
    "(pip install -e plugins/db -e plugins/migrate); installed namespaces: "
    + (", ".join(sorted(_installed)) or "none"),
)

USERS_LIST = (
    "username     role     posts  email\n"
    "alice        admin        4  alice@example.com\n"
    "bob          editor       4  bob@example.com\n"
    "carol        reader       0  carol@example.com\n"
)

Run = subprocess.CompletedProcess[str]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "_ARGCOMPLETE", "COMP_", "DATABASE_URL"))
    }
    env.update(PYTHONDONTWRITEBYTECODE="1", COLUMNS="100")
    env.update(extra)
    return env


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """A copy of the example, as in a fresh clone."""
    target = tmp_path / "blog"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    return target


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'blog.sqlite'}"


@pytest.fixture
def manage(blog: Path, database_url: str) -> Callable[..., Run]:
    def manage(*args: str, input: str = "", env: dict[str, str] | None = None) -> Run:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=blog,
            input=input,
            capture_output=True,
            text=True,
            env=_env(DATABASE_URL=database_url, **(env or {})),
            timeout=120,
        )

    return manage


def _ok(run: Run) -> Run:
    assert run.returncode == 0, (
        f"exit {run.returncode}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    )
    return run


def _rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def populated(manage: Callable[..., Run]) -> Callable[..., Run]:
    _ok(manage("migrate", "upgrade"))
    _ok(manage("db", "populate", "--default-data", "--sample-data"))
    return manage


def test_listing_shows_own_commands_and_plugin_namespaces(manage: Callable[..., Run]) -> None:
    run = _ok(manage(env={"COLUMNS": "250"}))  # wide: no summary is wrapped
    commands = run.stdout.split("commands:")[1].split("plugin namespaces:")
    own, plugins = commands[0], commands[1]
    for name in ("plugins", "purge_drafts", "runserver", "shell", "stats", "urls", "users"):
        assert f"\n  {name} " in own
    assert "\n  db " in plugins and "(flask-script-hub-db)" in plugins
    assert "\n  migrate " in plugins and "(flask-script-hub-migrate)" in plugins
    users = _ok(manage("users"))
    for name in ("add", "list", "set-password"):
        assert f"\n  {name} " in users.stdout


def test_migrations_then_fixtures(manage: Callable[..., Run], database_url: str) -> None:
    _ok(manage("migrate", "upgrade"))
    assert _ok(manage("migrate", "current")).stdout.strip() == "0002_user_bio (head)"
    # the migrations made every table of the models: create has nothing to do, check finds nothing
    assert "nothing to do" in _ok(manage("db", "create")).stdout
    _ok(manage("migrate", "check"))
    populate = _ok(manage("db", "populate", "--default-data", "--sample-data")).stdout
    # the fixture files, then the app's db_populate hook (blog/populate.py): 4 weekly notes
    assert populate.endswith(
        "posts: 4 inserted, 0 updated\npost_tags: 4 inserted, 0 updated\n"
        "db_populate hook: blog-sample-data\n"
    )
    assert _ok(manage("users", "list")).stdout == USERS_LIST
    assert _rows(database_url, "select count(*) from post_tags") == [(8,)]
    # populating again does not duplicate rows, from the files or from the hook
    _ok(manage("db", "populate", "--default-data", "--sample-data"))
    assert _rows(database_url, "select count(*) from users") == [(3,)]
    assert _rows(database_url, "select count(*) from posts") == [(8,)]
    assert _rows(database_url, "select count(*) from post_tags") == [(8,)]
    stats = _ok(manage("stats", "--drafts")).stdout
    assert stats == "users: 3\npublished posts: 7\ndrafts: 1\n"


def test_users_add_asks_for_password_twice(
    populated: Callable[..., Run], database_url: str
) -> None:
    run = _ok(
        populated("users", "add", "dave", input="dave@example.com\neditor\nhunter2!!\nhunter2!!\n")
    )
    assert run.stdout.endswith("Added dave (editor).\n")
    assert "Email: " in run.stdout and "Role - (admin, editor, reader) [reader]: " in run.stdout
    ((email, role, password_hash),) = _rows(
        database_url,
        "select email, roles.name, password_hash from users join roles on roles.id = role_id"
        " where username = 'dave'",
    )
    assert (email, role) == ("dave@example.com", "editor")
    from werkzeug.security import check_password_hash

    assert check_password_hash(str(password_hash), "hunter2!!")


@pytest.mark.parametrize(
    ("args", "answers", "message"),
    [
        (
            ["erin", "-e", "e@example.com", "-r", "reader"],
            "longenough\ndifferent\n",
            "error: the passwords do not match",
        ),
        (
            ["erin", "-e", "e@example.com", "-r", "reader"],
            "short\nshort\n",
            "error: the password must have at least 8 characters",
        ),
        (["alice", "-e", "a2@example.com"], "", "error: a user named 'alice' exists already"),
        (
            ["erin", "-e", "e@example.com", "-r", "owner"],
            "",
            "error: no role named 'owner'; choose from admin, editor, reader",
        ),
        (["erin"], "", "error: no answer to 'Email': end of input"),
    ],
)
def test_users_add_refuses_bad_input(
    populated: Callable[..., Run], database_url: str, args: list[str], answers: str, message: str
) -> None:
    run = populated("users", "add", *args, input=answers)
    assert run.returncode == 1
    assert run.stderr == message + "\n"
    assert _rows(database_url, "select count(*) from users") == [(3,)]


def test_set_password(populated: Callable[..., Run], database_url: str) -> None:
    before = _rows(database_url, "select password_hash from users where username = 'bob'")
    run = _ok(populated("users", "set-password", "bob", input="new-secret\nnew-secret\n"))
    assert run.stdout.endswith("Password of bob changed.\n")
    ((after,),) = _rows(database_url, "select password_hash from users where username = 'bob'")
    assert [(after,)] != before
    from werkzeug.security import check_password_hash

    assert check_password_hash(str(after), "new-secret")
    missing = populated("users", "set-password", "nobody", input="x\n")
    assert (missing.returncode, missing.stderr) == (1, "error: no user named 'nobody'\n")


def test_purge_drafts_confirms(populated: Callable[..., Run], database_url: str) -> None:
    refused = populated("purge-drafts")
    assert refused.returncode == 1
    assert refused.stderr == "error: not a terminal: add --yes to delete the drafts\n"
    assert "a-draft (alice)" in refused.stdout
    assert _rows(database_url, "select count(*) from posts") == [(8,)]
    done = _ok(populated("purge_drafts", "--yes"))
    assert done.stdout.endswith("Deleted 1 drafts.\n")
    assert _rows(database_url, "select slug from posts where published = 0") == []
    assert _ok(populated("purge-drafts", "--yes")).stdout == "No drafts.\n"


def test_shell_has_the_models_and_the_app_serves_them(populated: Callable[..., Run]) -> None:
    code = (
        "client = app.test_client()\n"
        "print(sorted(p['slug'] for p in client.get('/api/posts').json)[:4])\n"
        "print(client.get('/api/users/bob').json['role'])\n"
        "print(client.get('/posts/a-draft').status_code, client.get('/').status_code)\n"
        "print(db.session.get(User, 1).role.name, Post.__tablename__, Tag.__tablename__)\n"
    )
    run = _ok(populated("shell", "-c", code))
    assert run.stdout == (
        "['hello-blog', 'manage-py', 'migrations', 'week-1-notes']\n"
        "editor\n404 200\nadmin posts tags\n"
    )


def test_config_option_and_flask_config(blog: Path, manage: Callable[..., Run]) -> None:
    def where(*args: str, env: dict[str, str] | None = None) -> str:
        run = subprocess.run(
            [
                sys.executable,
                "manage.py",
                *args,
                "shell",
                "-c",
                "print(app.config['CONFIG_NAME'], app.config['SQLALCHEMY_DATABASE_URI'])",
            ],
            cwd=blog,
            capture_output=True,
            text=True,
            env=_env(**(env or {})),
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    instance = blog / "instance"
    assert where() == f"default sqlite:///{instance / 'blog.sqlite'}"
    assert where("-c", "testing") == f"testing sqlite:///{instance / 'blog-test.sqlite'}"
    assert where(env={"FLASK_CONFIG": "testing"}).startswith("testing ")
    assert where("--config", "development", env={"FLASK_CONFIG": "testing"}).startswith(
        "development "
    )
    bad = manage("-c", "staging", "stats")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "error: the app factory create_app() failed: ValueError: unknown configuration "
        "'staging'; choose from default, development, production, testing"
    ]


def test_demo_script_runs_twice(blog: Path) -> None:
    for _ in range(2):
        run = subprocess.run(
            ["sh", "demo.sh"],
            cwd=blog,
            capture_output=True,
            text=True,
            env=_env(PYTHON=sys.executable),
            timeout=300,
        )
        assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
        assert USERS_LIST in run.stdout
        assert "0002_user_bio (head)" in run.stdout
        assert "Added dave (editor)." in run.stdout
        assert run.stdout.endswith("The demo ran to the end.\n")


def test_demo_script_stops_at_the_first_failure(blog: Path) -> None:
    # a broken fixture makes `db populate` fail: the demo must stop there with a failing status
    (blog / "blog" / "fixtures" / "sample" / "posts.json").write_text(
        '[{"id": 1, "title": "x", "slug": "x", "author_id": 99, "nope": 1}]'
    )
    run = subprocess.run(
        ["sh", "demo.sh"],
        cwd=blog,
        capture_output=True,
        text=True,
        env=_env(PYTHON=sys.executable),
        timeout=300,
    )
    assert run.returncode == 1
    assert "posts.json" in run.stderr
    assert "$ python manage.py migrate current" not in run.stdout


# -- PostgreSQL and MariaDB --------------------------------------------------------------------
SERVERS = {
    "postgresql": ("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}


@pytest.fixture(params=sorted(SERVERS))
def server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A scratch database, created for the test on the server of TEST_*_URL and dropped after."""
    variable, example = SERVERS[request.param]
    base = os.environ.get(variable)
    if not base:
        pytest.skip(f"{variable} is not set (e.g. {example})")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"example_{uuid.uuid4().hex[:12]}"
    quote = '"' if request.param == "postgresql" else "`"
    force = " WITH (FORCE)" if request.param == "postgresql" else ""
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {quote}{name}{quote}"))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quote}{name}{quote}{force}"))
        admin.dispose()


def test_example_on_a_database_server(blog: Path, server_url: str) -> None:
    def manage(*args: str) -> Run:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=blog,
            capture_output=True,
            text=True,
            env=_env(DATABASE_URL=server_url),
            timeout=120,
        )

    _ok(manage("migrate", "upgrade"))
    assert _ok(manage("migrate", "current")).stdout.strip() == "0002_user_bio (head)"
    _ok(manage("db", "populate", "--default-data", "--sample-data"))
    _ok(manage("db", "populate", "--default-data", "--sample-data"))
    assert _ok(manage("users", "list")).stdout == USERS_LIST
    assert _ok(manage("stats")).stdout == "users: 3\npublished posts: 7\n"
    tables = _ok(manage("db", "tables")).stdout
    assert re.search(r"^users +3$", tables, re.M) and re.search(r"^post_tags +8$", tables, re.M)


def test_listing_commands_loads_neither_sqlalchemy_nor_alembic(blog: Path) -> None:
    code = (
        "import sys, io, contextlib\n"
        "import manage\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = manage.manager.handle('manage.py', [])\n"
        "print(status, sorted(m for m in ('sqlalchemy', 'alembic', 'flask_migrate', 'flask')"
        " if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=blog,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "0 []\n"
