"""Fixtures for the migrate plugin's tests: real apps, real manage.py, real databases.

``project`` writes a small Flask-SQLAlchemy app (``app.py`` + ``models.py``) and a ``manage.py``
into ``tmp_path``; its ``database`` is SQLite (a file in ``tmp_path``) or, through the
``postgresql`` / ``mariadb`` fixtures, a scratch database created from ``TEST_POSTGRESQL_URL`` /
``TEST_MARIADB_URL`` and dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

APP_PY = """
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("NULL_POOL"):
        from sqlalchemy.pool import NullPool

        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    db.init_app(app)
    import models  # noqa: F401  (registers the models on db)

    if not os.environ.get("NO_MIGRATE_EXTENSION"):
        from flask_migrate import Migrate

        options = {}
        if os.environ.get("TRANSACTION_PER_MIGRATION"):
            options["transaction_per_migration"] = True
        Migrate(app, db, **options)
    return app
"""

MANAGE_PY = """
from flask_script_hub import Manager

from app import create_app

manager = Manager(create_app)

if __name__ == "__main__":
    manager.run()
"""

MODELS_V1 = """
from app import db


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
"""

MODELS_V2 = (
    MODELS_V1
    + """    email = db.Column(db.String(120))


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
"""
)


def _scratch_database(base_url: str) -> Iterator[str]:
    """Create a database with a unique name on the server of ``base_url``; drop it afterwards."""
    url = sa.make_url(base_url)
    name = f"fshm_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            if url.get_backend_name() == "postgresql":
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    base = os.environ.get("TEST_POSTGRESQL_URL")
    if not base:
        pytest.skip(
            "TEST_POSTGRESQL_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield from _scratch_database(base)


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    base = os.environ.get("TEST_MARIADB_URL")
    if not base:
        pytest.skip("TEST_MARIADB_URL is not set (e.g. mysql+pymysql://root@127.0.0.1:3306/test)")
    yield from _scratch_database(base)


class Project:
    """A real app with a manage.py in ``path``, run as a user would run it."""

    V1 = MODELS_V1
    V2 = MODELS_V2

    def __init__(self, path: Path, database_url: str) -> None:
        self.path = path
        self.database_url = database_url
        (path / "app.py").write_text(textwrap.dedent(APP_PY))
        (path / "manage.py").write_text(textwrap.dedent(MANAGE_PY))
        self.write_models(MODELS_V1)

    def write_models(self, source: str) -> None:
        (self.path / "models.py").write_text(textwrap.dedent(source))

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("FLASK_APP", None)
        env.update(DATABASE_URL=self.database_url, PYTHONDONTWRITEBYTECODE="1")
        env.update(extra)
        return env

    def run(
        self, *args: str, input: str | None = None, script: str = "manage.py", **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python <script> *args`` in the project directory (stdin is not a terminal)."""
        return subprocess.run(
            [sys.executable, script, *args],
            cwd=self.path,
            env=self.env(**env),
            input=input or "",
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run and assert exit status 0 (showing stderr otherwise)."""
        result = self.run(*args, **env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def fails(self, *args: str, **env: str) -> str:
        """Run, assert exit status 1 and ONE error line on stderr (besides Alembic's log lines).

        :returns: the error line.
        """
        result = self.run(*args, **env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        lines = [
            line
            for line in result.stderr.splitlines()
            if not line.startswith(("INFO ", "WARNI", "Another migration"))
        ]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return lines[0]

    def revisions(self) -> list[Path]:
        return sorted((self.path / "migrations" / "versions").glob("*.py"))

    def add_revision(
        self, rev_id: str, message: str, upgrade: str, downgrade: str = "pass"
    ) -> Path:
        """Create a revision with ``manage.py migrate revision`` and give it these bodies."""
        self.ok("migrate", "revision", "-m", message, "--rev-id", rev_id)
        (path,) = (self.path / "migrations" / "versions").glob(f"{rev_id}_*.py")
        source = path.read_text()
        assert "def upgrade():\n    pass" in source and "def downgrade():\n    pass" in source
        source = source.replace(
            "def upgrade():\n    pass",
            "def upgrade():\n" + textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
        )
        source = source.replace(
            "def downgrade():\n    pass",
            "def downgrade():\n" + textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
        )
        path.write_text(source)
        return path

    # -- looking at the database ----------------------------------------------------------
    def engine(self) -> sa.Engine:
        return sa.create_engine(self.database_url, poolclass=sa.pool.NullPool)

    def tables(self) -> set[str]:
        engine = self.engine()
        try:
            return set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def columns(self, table: str) -> set[str]:
        engine = self.engine()
        try:
            return {c["name"] for c in sa.inspect(engine).get_columns(table)}
        finally:
            engine.dispose()

    def version(self) -> set[str]:
        """The revisions in alembic_version (empty when the table is missing or empty)."""
        engine = self.engine()
        try:
            if "alembic_version" not in sa.inspect(engine).get_table_names():
                return set()
            with engine.connect() as connection:
                return set(
                    connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
                )
        finally:
            engine.dispose()

    def insert(self, table: str, **values: Any) -> None:
        """Insert one row (names quoted for the database: ``user`` is reserved on PostgreSQL)."""
        engine = self.engine()
        try:
            with engine.begin() as connection:
                target = sa.table(table, *(sa.column(name) for name in values))
                connection.execute(sa.insert(target).values(**values))
        finally:
            engine.dispose()

    def rows(self, table: str, *columns: str) -> list[tuple[Any, ...]]:
        engine = self.engine()
        try:
            with engine.connect() as connection:
                source = sa.table(table, *(sa.column(name) for name in columns))
                query = sa.select(*source.c).order_by(*source.c)
                return [tuple(row) for row in connection.execute(query)]
        finally:
            engine.dispose()

    def query(self, sql: str, **params: Any) -> list[Any]:
        engine = self.engine()
        try:
            with engine.begin() as connection:
                return list(connection.execute(sa.text(sql), params))
        finally:
            engine.dispose()


@pytest.fixture
def sqlite_project(tmp_path: Path) -> Project:
    return Project(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}")


@pytest.fixture
def postgresql_project(tmp_path: Path, postgresql_url: str) -> Project:
    return Project(tmp_path, postgresql_url)


@pytest.fixture
def mariadb_project(tmp_path: Path, mariadb_url: str) -> Project:
    return Project(tmp_path, mariadb_url)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def project(request: pytest.FixtureRequest) -> Project:
    """The same project on each database (PostgreSQL / MariaDB skip without their URL)."""
    return request.getfixturevalue(f"{request.param}_project")
