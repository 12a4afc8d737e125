"""db populate across several binds: every bind is flushed before any commits, and a commit that
fails after another bind committed says exactly which binds were committed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

import flask_script_hub_db.plugin
from flask_script_hub import Manager

from .conftest import Project


def rel(path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def two_binds(root: Path, default_url: str, audit_url: str) -> Project:
    """Users in the default database; kinds and entries (a deferred foreign key) in 'audit'."""
    root.mkdir(parents=True, exist_ok=True)
    app = Flask("twobinds", root_path=str(root))
    app.config["SQLALCHEMY_DATABASE_URI"] = default_url
    app.config["SQLALCHEMY_BINDS"] = {"audit": audit_url}
    db = SQLAlchemy()

    class User(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50), nullable=False)

    class Kind(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "kinds"
        __bind_key__ = "audit"
        id = sa.Column(sa.Integer, primary_key=True)

    class Entry(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "entries"
        __bind_key__ = "audit"
        id = sa.Column(sa.Integer, primary_key=True)
        kind_id = sa.Column(sa.ForeignKey("kinds.id", deferrable=True, initially="DEFERRED"))

    db.init_app(app)
    with app.app_context():
        engine = db.engines["audit"]
        if engine.dialect.name == "sqlite":

            def foreign_keys_on(dbapi_connection, record):
                dbapi_connection.execute("PRAGMA foreign_keys=ON")

            sa.event.listen(engine, "connect", foreign_keys_on)
    manager = Manager(app)
    manager.register_plugin(flask_script_hub_db.plugin, name="db")
    return Project(app, db, {"User": User, "Kind": Kind, "Entry": Entry}, manager, root)


@pytest.fixture
def dispose():
    projects: list[Project] = []
    yield projects.append
    for project in projects:
        with project.app.app_context():
            for engine in project.db.engines.values():
                engine.dispose()


def test_failed_commit_names_the_binds_already_committed(tmp_path, dispose):
    default = f"sqlite:///{tmp_path / 'main.sqlite'}"
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    project = two_binds(tmp_path / "proj", default, audit)
    dispose(project)
    project.create()
    project.write("data/users.csv", "id,name\n1,Ann\n")
    project.write("data/entries.csv", "id,kind_id\n1,99\n")  # SQLite checks it at COMMIT
    result = project.invoke("db", "populate", str(project.root / "data"))
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: commit failed on bind 'audit' ({audit}): IntegrityError: FOREIGN KEY constraint "
        f"failed; rolled back: bind 'audit'; already committed, and keeping the new data: "
        f"default database ({default})\n"
    )
    assert "rolled back: default" not in result.stderr
    assert project.count("users") == 1
    assert project.count("entries", bind="audit") == 0


def test_postgresql_deferred_constraints_are_checked_before_any_commit(
    tmp_path, dispose, server_urls
):
    if "postgresql" not in server_urls:
        pytest.skip("TEST_POSTGRESQL_URL is not set: no postgresql server to test against")
    default = f"sqlite:///{tmp_path / 'main.sqlite'}"
    project = two_binds(tmp_path / "proj", default, server_urls["postgresql"])
    dispose(project)
    project.create()
    try:
        project.write("data/users.csv", "id,name\n1,Ann\n")
        project.write("data/entries.csv", "id,kind_id\n1,99\n")
        result = project.invoke("db", "populate", str(project.root / "data"))
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: populate failed: ForeignKeyViolation: ")
        assert result.stderr.endswith("; nothing was loaded (rolled back)\n")
        assert project.count("users") == 0
        assert project.count("entries", bind="audit") == 0
    finally:
        with project.app.app_context():
            project.db.drop_all(bind_key="audit")


def test_a_refused_row_in_the_second_bind_rolls_back_the_first(tmp_path, dispose):
    default = f"sqlite:///{tmp_path / 'main.sqlite'}"
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    project = two_binds(tmp_path / "proj", default, audit)
    dispose(project)
    project.create()
    project.write("data/users.csv", "id,name\n1,Ann\n")
    bad = project.write("data/kinds.csv", "id\n1\n1\n")
    result = project.invoke("db", "populate", str(project.root / "data"))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {rel(bad)}, line 3, column 'id': ")
    assert result.stderr.endswith("nothing was loaded (rolled back)\n")
    assert project.count("users") == 0
    assert project.count("kinds", bind="audit") == 0
