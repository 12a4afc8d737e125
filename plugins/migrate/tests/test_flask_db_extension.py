"""Flask-Migrate's own `db` click group, installed only as a `flask.commands` entry point, runs in
manage.py with no code in manage.py (the core's click bridge), on a real SQLite project."""

from __future__ import annotations

import os

from flask_script_hub.testing import write_distribution


def _install_flask_db_as(site, name: str) -> None:
    write_distribution(
        site,
        "flask-db-ext",
        "1.0",
        entry_points={"flask.commands": {name: "flask_migrate.cli:db"}},
        summary="flask db, elsewhere",
    )


def test_flask_migrate_group_from_an_entry_point(sqlite_project, tmp_path):
    project = sqlite_project
    site = tmp_path / "site"
    _install_flask_db_as(site, "fdb")
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    listing = project.ok("plugins", PYTHONPATH=path).stdout
    assert "fdb" in listing and "flask.commands" in listing and "flask_migrate.cli:db" in listing
    helped = project.ok("fdb", "upgrade", "-?", PYTHONPATH=path).stdout
    assert helped.startswith("Usage: manage.py fdb upgrade [OPTIONS] [REVISION]")
    project.ok("fdb", "init", PYTHONPATH=path)
    project.ok("fdb", "migrate", "-m", "users", PYTHONPATH=path)
    project.ok("fdb", "upgrade", PYTHONPATH=path)
    assert "user" in project.tables()
    (rev,) = project.version()
    assert project.ok("fdb", "current", PYTHONPATH=path).stdout.strip() == f"{rev} (head)"
    # the day after: the app's ordinary path
    project.insert("user", name="ada")
    assert project.rows("user", "name") == [("ada",)]
