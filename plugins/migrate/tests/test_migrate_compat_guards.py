"""Each guard of ``flask_script_hub_migrate/_compat.py`` falls back to Flask-Migrate's documented
behaviour when its private API is reshaped, in a real manage.py run (SQLite)."""

from __future__ import annotations

import textwrap

RESHAPED_MANAGE_PY = """
import types

import flask_migrate

from flask_script_hub import Manager

from app import create_app

if "{what}" == "wrapped":
    # Flask-Migrate's command functions no longer expose the function they wrap
    for name in ("upgrade", "heads"):
        del getattr(flask_migrate, name).__wrapped__


def reshaped_app():
    app = create_app()
    if "{what}" == "state":
        # app.extensions["migrate"] holds only the Migrate object's reference
        state = app.extensions["migrate"]
        app.extensions["migrate"] = types.SimpleNamespace(migrate=state.migrate)
    return app


manager = Manager(reshaped_app)

if __name__ == "__main__":
    manager.run()
"""


def _reshape(project, what: str) -> None:
    (project.path / "manage.py").write_text(textwrap.dedent(RESHAPED_MANAGE_PY).format(what=what))


def test_upgrade_without_wrapped_functions(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    _reshape(project, "wrapped")
    done = project.ok("migrate", "upgrade")
    assert "user" in project.tables()
    assert "CompatWarning" in done.stderr and "flask_migrate.upgrade.__wrapped__" in done.stderr
    failed = project.run("migrate", "upgrade", "nosuchrevision")
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    (error,) = [line for line in failed.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith("error: upgrade failed: FlaskMigrateExit: Flask-Migrate exited")
    assert "the database is at revision" in error
    assert "Can't locate revision identified by 'nosuchrevision'" in failed.stderr


def test_commands_without_migrate_config_shape(sqlite_project):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "migrate", "-m", "users")
    (rev,) = [path.name.split("_")[0] for path in project.revisions()]
    _reshape(project, "state")
    heads = project.ok("migrate", "heads")
    assert heads.stdout.strip() == f"{rev} (head)"
    assert "CompatWarning" in heads.stderr and "_MigrateConfig" in heads.stderr
