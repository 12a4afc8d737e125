"""Fixtures of the db plugin's tests: real Flask apps, real databases, the in-process runner.

SQLite (a file under ``tmp_path``) always. PostgreSQL and MariaDB when ``TEST_POSTGRESQL_URL`` /
``TEST_MARIADB_URL`` are set: each test session creates a scratch database with a unique name
from the base URL and drops it at the end, so that engineers and CI jobs running at the same time
never share tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

import flask_script_hub_db.plugin
from flask_script_hub import Manager
from flask_script_hub.testing import ManagerRunner, Result

#: In-process tests register the plugin in code; the installed entry point must not load too.
ENV = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1", "FLASK_SCRIPT_HUB_TRACEBACK": None}

SERVERS = {"postgresql": "TEST_POSTGRESQL_URL", "mariadb": "TEST_MARIADB_URL"}


def make_db() -> tuple[SQLAlchemy, dict[str, Any]]:
    """A new Flask-SQLAlchemy extension with three related models: users, posts, comments."""
    db = SQLAlchemy()

    class User(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50), nullable=False)
        email = sa.Column(sa.String(100), unique=True)
        age = sa.Column(sa.Integer)
        active = sa.Column(sa.Boolean, nullable=False, default=True)
        joined = sa.Column(sa.Date)

    class Post(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "posts"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = sa.Column(sa.ForeignKey("users.id"), nullable=False)
        title = sa.Column(sa.String(200), nullable=False)
        score = sa.Column(sa.Float)

    class Comment(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "comments"
        id = sa.Column(sa.Integer, primary_key=True)
        post_id = sa.Column(sa.ForeignKey("posts.id"), nullable=False)
        body = sa.Column(sa.Text, nullable=False)

    return db, {"User": User, "Post": Post, "Comment": Comment}


@dataclass
class Project:
    """A test app: its extension, models, manager, fixtures folder and a runner."""

    app: Flask
    db: SQLAlchemy
    models: dict[str, Any]
    manager: Manager
    root: Path

    def invoke(self, *args: str, input: str | None = None) -> Result:
        """Run ``manage.py db <args>`` in-process."""
        return ManagerRunner().invoke(self.manager, list(args), input=input, env=ENV)

    def count(self, table: str, bind: str | None = None) -> int:
        """Rows of a table, read with a fresh connection."""
        with self.app.app_context():
            engine = self.db.engines[bind]
            with engine.connect() as conn:
                return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())

    def rows(self, sql: str, bind: str | None = None) -> list[tuple[Any, ...]]:
        """The rows of a query, as tuples."""
        with self.app.app_context(), self.db.engines[bind].connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]

    def table_names(self, bind: str | None = None) -> set[str]:
        """Tables that exist in the database."""
        with self.app.app_context():
            return set(sa.inspect(self.db.engines[bind]).get_table_names())

    def write(self, relative: str, text: str) -> Path:
        """Write a fixture file below the project root."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def create(self) -> None:
        result = self.invoke("db", "create")
        assert result.exit_code == 0, result.output


def build_project(
    root: Path,
    url: str,
    binds: dict[str, str] | None = None,
    with_models: bool = True,
    plugins: list[tuple[object, str]] | None = None,
) -> Project:
    """A real Flask app with Flask-SQLAlchemy, a Manager and the db plugin registered in code."""
    root.mkdir(parents=True, exist_ok=True)
    app = Flask("testapp", root_path=str(root))
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if binds:
        app.config["SQLALCHEMY_BINDS"] = binds
    if with_models:
        db, models = make_db()
    else:
        db, models = SQLAlchemy(), {}
    if binds:

        class Event(db.Model):  # type: ignore[name-defined,misc]
            __tablename__ = "events"
            __bind_key__ = next(iter(binds))
            id = sa.Column(sa.Integer, primary_key=True)
            kind = sa.Column(sa.String(20), nullable=False)

        models["Event"] = Event
    db.init_app(app)
    manager = Manager(app)
    manager.register_plugin(flask_script_hub_db.plugin, name="db")
    for plugin, name in plugins or ():
        manager.register_plugin(plugin, name=name)
    return Project(app, db, models, manager, root)


def _scratch_url(base: str, name: str) -> str:
    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_urls() -> Iterator[dict[str, str]]:
    """``{"postgresql": url, "mariadb": url}`` of scratch databases made for this session."""
    made: dict[str, tuple[str, str]] = {}
    urls: dict[str, str] = {}
    for kind, variable in SERVERS.items():
        base = os.environ.get(variable)
        if not base:
            continue
        name = f"fsh_db_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
        made[kind] = (base, name)
        urls[kind] = _scratch_url(base, name)
    yield urls
    for base, name in made.values():
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_url(
    request: pytest.FixtureRequest, tmp_path: Path, server_urls: dict[str, str]
) -> Iterator[str]:
    """A database URL: a SQLite file, or the session's PostgreSQL / MariaDB scratch database."""
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite'}"
        return
    if kind not in server_urls:
        pytest.skip(f"{SERVERS[kind]} is not set: no {kind} server to test against")
    url = server_urls[kind]
    yield url
    # leave the scratch database empty for the next test
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file under ``tmp_path``."""
    return f"sqlite:///{tmp_path / 'app.sqlite'}"


def _dispose(projects: list[Project]) -> None:
    for project in projects:
        with project.app.app_context():
            for engine in project.db.engines.values():
                engine.dispose()


@pytest.fixture
def make_project(tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """Build projects: ``make_project(url, binds=..., with_models=..., plugins=...)``.

    Their engines are disposed at the end of the test (no connection left open).
    """
    projects: list[Project] = []

    def make(url: str | None = None, **kwargs: Any) -> Project:
        url = url or f"sqlite:///{tmp_path / 'app.sqlite'}"
        projects.append(build_project(tmp_path / "proj", url, **kwargs))
        return projects[-1]

    yield make
    _dispose(projects)


@pytest.fixture
def project(make_project: Callable[..., Project]) -> Project:
    """A SQLite project with the users/posts/comments models."""
    return make_project()
