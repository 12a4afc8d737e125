"""End to end: every distribution built as `make dist` builds it, installed into a fresh venv.

Only this repository's wheels come from the built folder (``--find-links``); their dependencies
come from the package index, as for a user installing the release. Then ``manage.py --help``,
``plugins --check`` and one command of each first-party plugin run in a new project.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from conftest import clean_env

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = [ROOT, *sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))]

pytestmark = pytest.mark.slow


def _name(project: Path) -> str:
    return tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    # distutils warns that it skips byte-compiling under PYTHONDONTWRITEBYTECODE
    env.pop("PYTHONDONTWRITEBYTECODE")
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"{args}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdists and wheels of every distribution, built and checked as `make dist` does."""
    out = tmp_path_factory.mktemp("dist")
    for project in PROJECTS:
        build = _run(sys.executable, "-m", "build", "--outdir", out, project)
        assert "warning" not in (build.stdout + build.stderr).lower(), build.stdout + build.stderr
    _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(out.iterdir()))
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with every distribution installed from ``dist`` by name."""
    path = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", path)
    # this repository's wheels by file, so that none of them can come from the index; their
    # dependencies (Flask, SQLAlchemy, ...) do come from the index
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == len(PROJECTS)
    _run(path / "bin" / "python", "-m", "pip", "install", "-q", "--find-links", dist, *wheels)
    return path


def test_every_distribution_has_an_sdist_a_wheel_and_the_license(dist: Path) -> None:
    import zipfile

    for project in PROJECTS:
        stem = _name(project).replace("-", "_")
        wheels = list(dist.glob(f"{stem}-*-py3-none-any.whl"))
        assert len(wheels) == 1 and len(list(dist.glob(f"{stem}-*.tar.gz"))) == 1
        with zipfile.ZipFile(wheels[0]) as wheel:
            names = wheel.namelist()
            assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
            meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
            text = wheel.read(meta).decode()
        assert "License-Expression: BSD-3-Clause" in text
        if project != ROOT:  # plugins use this release's API of the core
            assert "Requires-Dist: flask-script-hub<0.2,>=0.1.0" in text, text


def test_installed_from_dist_runs(venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(
        textwrap.dedent("""
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy.orm import Mapped, mapped_column

        db = SQLAlchemy()


        class Post(db.Model):
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]


        def create_app():
            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.sqlite"
            db.init_app(app)
            return app
    """)
    )
    (project / "manage.py").write_text(
        textwrap.dedent("""
        from flask_script_hub import Manager

        manager = Manager("app:create_app")

        if __name__ == "__main__":
            manager.run()
    """)
    )
    # an old Flask-Script manage.py, unchanged: the compat distribution's flask_script
    (project / "old_manage.py").write_text(
        textwrap.dedent("""
        from flask_script import Manager

        from app import create_app

        manager = Manager(create_app)


        @manager.command
        def hello():
            "Say hello"
            print("hello from flask_script")


        if __name__ == "__main__":
            manager.run()
    """)
    )
    py = venv / "bin" / "python"

    def manage(*args: str, script: str = "manage.py") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [py, script, *args],
            cwd=project,
            capture_output=True,
            text=True,
            env=clean_env({"PYTHONPATH": str(project)}),
            stdin=subprocess.DEVNULL,
        )

    help_ = manage("--help")
    assert help_.returncode == 0, help_.stderr
    for namespace in ("db", "migrate", "rq"):
        assert namespace in help_.stdout

    check = manage("plugins", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    rows = {line.split()[0]: line.split() for line in check.stdout.splitlines() if line.strip()}
    for namespace, dist_name in (
        ("db", "flask-script-hub-db"),
        ("migrate", "flask-script-hub-migrate"),
        ("rq", "flask-script-hub-rq"),
    ):
        assert rows[namespace][1:3] == [dist_name, "0.1.0"] and "loaded" in rows[namespace]

    create = manage("db", "create")
    assert create.returncode == 0, create.stderr
    tables = manage("db", "tables")
    assert tables.returncode == 0 and "post" in tables.stdout, tables.stdout + tables.stderr

    init = manage("migrate", "init")
    assert init.returncode == 0, init.stderr
    assert (project / "migrations" / "env.py").is_file()

    # rq: the queues of the test Redis when there is one, else the one-line error of Redis down
    redis = os.environ.get("TEST_REDIS_URL")
    info = manage("rq", "info", "--url", redis or "redis://127.0.0.1:1/0")
    if redis:
        assert info.returncode == 0 and "Redis:" in info.stdout, info.stdout + info.stderr
    else:
        assert info.returncode == 1 and info.stderr.startswith("error: cannot use Redis at ")

    old = manage("hello", script="old_manage.py")
    assert (old.returncode, old.stdout, old.stderr) == (0, "hello from flask_script\n", "")
