#!/usr/bin/env python3
"""``manage.py migrate upgrade`` against ``flask db upgrade`` (Flask-Migrate) on the same app.

Builds a project in a temporary directory: a Flask-SQLAlchemy app with ``Migrate(app, db)``, a
``manage.py`` (``Manager(create_app)``, the ``migrate`` plugin installed) and 20 revisions, each
creating a table. Then, in the same run, alternating the two tools:

* no-op upgrade: the database is already at head;
* upgrade through 20 revisions: the database is reset (outside the timing) before each run.

Wall time of the subprocess, median of ``--runs`` runs after one warm-up each; target: the
plugin at most 1.0x of ``flask db upgrade``. SQLite by default; ``--postgresql`` also measures
against a scratch database made from ``TEST_POSTGRESQL_URL`` (where the plugin takes its advisory
lock). Run: ``.venv/bin/python bench/bench_migrate.py [--runs 11] [--postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REVISIONS = 20

APP_PY = """
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    migrate.init_app(app, db)
    return app
"""

MANAGE_PY = """
from flask_script_hub import Manager

from app import create_app

manager = Manager(create_app)

if __name__ == "__main__":
    manager.run()
"""

REVISION = '''"""table {n}

Revision ID: r{n:02d}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "r{n:02d}"
down_revision = {down_repr}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "t{n:02d}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def downgrade():
    op.drop_table("t{n:02d}")
'''


def build_project(root: Path, database_url: str) -> dict[str, str]:
    """Write the app, manage.py and 20 revisions; return the environment for the runs."""
    (root / "app.py").write_text(textwrap.dedent(APP_PY))
    (root / "manage.py").write_text(textwrap.dedent(MANAGE_PY))
    # bytecode is cached as in a deployed app (pip compiles installed packages at install time)
    env = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "app:create_app"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "init"],
        cwd=root, env=env, check=True, capture_output=True,
    )  # fmt: skip
    versions = root / "migrations" / "versions"
    for n in range(1, REVISIONS + 1):
        down = f"r{n - 1:02d}" if n > 1 else None
        text = REVISION.format(n=n, down=down or "", down_repr=repr(down))
        (versions / f"r{n:02d}_table_{n}.py").write_text(text)
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) in ms of one run; raises when it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{errors}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def compare(
    title: str,
    tools: dict[str, list[str]],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    reset: Callable[[], None],
) -> dict[str, float]:
    """Alternate the tools ``runs`` times (after one warm-up each); print and return medians.

    Prints the median wall time, its ratio to ``flask db upgrade``, the range, the median CPU
    time (user + system, less sensitive to other load on the machine) and the median of the
    ratios of each pair of consecutive runs.
    """
    wall: dict[str, list[float]] = {name: [] for name in tools}
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    for i in range(runs + 1):
        order = list(tools) if i % 2 == 0 else list(reversed(tools))
        for name in order:
            reset()
            elapsed, used = timed(tools[name], cwd, env)
            if i:
                wall[name].append(elapsed)
                cpu[name].append(used)
    medians = {name: statistics.median(values) for name, values in wall.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    baseline = "flask db upgrade"
    ours = "manage.py migrate upgrade"
    paired = statistics.median(a / b for a, b in zip(wall[ours], wall[baseline], strict=True))
    print(f"\n{title} (median of {runs} runs)")
    print(f"  {'':<27} {'wall':>9}  {'ratio':>5}  {'range':<13} {'CPU':>9}  ratio")
    for name, ms in medians.items():
        spread = f"[{min(wall[name]):.0f}-{max(wall[name]):.0f}]"
        cpu_ratio = cpu_medians[name] / cpu_medians[baseline]
        print(
            f"  {name:<27} {ms:6.0f} ms  {ms / medians[baseline]:4.2f}x  {spread:<13}"
            f" {cpu_medians[name]:6.0f} ms  {cpu_ratio:4.2f}x"
        )
    print(f"  median of paired wall-time ratios: {paired:.2f}x")
    return medians


def run_suite(label: str, root: Path, env: dict[str, str], runs: int,
              drop_all: Callable[[], None]) -> list[tuple[str, float]]:  # fmt: skip
    tools = {
        "manage.py migrate upgrade": [sys.executable, "manage.py", "migrate", "upgrade"],
        "flask db upgrade": [sys.executable, "-m", "flask", "db", "upgrade"],
    }
    ratios = []
    drop_all()
    subprocess.run(tools["flask db upgrade"], cwd=root, env=env, check=True, capture_output=True)
    noop = compare(f"[{label}] no-op upgrade (already at head)", tools, root, env, runs,
                   reset=lambda: None)  # fmt: skip
    ratios.append((f"{label} no-op", noop["manage.py migrate upgrade"] / noop["flask db upgrade"]))
    full = compare(f"[{label}] upgrade through {REVISIONS} revisions", tools, root, env, runs,
                   reset=drop_all)  # fmt: skip
    ratios.append(
        (
            f"{label} {REVISIONS} revisions",
            full["manage.py migrate upgrade"] / full["flask db upgrade"],
        )
    )
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="timed runs per tool (default 11)")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="also measure on a scratch database made from TEST_POSTGRESQL_URL",
    )
    options = parser.parse_args()
    import sqlalchemy as sa

    ratios: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench_migrate_") as tmp:
        root = Path(tmp)
        database = root / "bench.sqlite"
        env = build_project(root, f"sqlite:///{database}")
        print(f"Python {sys.version.split()[0]}; project in {root}; {REVISIONS} revisions")
        ratios += run_suite(
            "SQLite", root, env, options.runs, lambda: database.unlink(missing_ok=True)
        )
        if options.postgresql:
            base = os.environ.get("TEST_POSTGRESQL_URL")
            if not base:
                parser.error("--postgresql needs TEST_POSTGRESQL_URL")
            url = sa.make_url(base)
            name = f"bench_migrate_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
            target = url.set(database=name)
            engine = sa.create_engine(target, poolclass=sa.pool.NullPool)

            def drop_all() -> None:
                with engine.begin() as connection:
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                    connection.exec_driver_sql("CREATE SCHEMA public")

            try:
                pg_env = {**env, "DATABASE_URL": target.render_as_string(hide_password=False)}
                ratios += run_suite("PostgreSQL", root, pg_env, options.runs, drop_all)
            finally:
                engine.dispose()
                with admin.connect() as connection:
                    connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                admin.dispose()

    print("\nmanage.py migrate upgrade / flask db upgrade (target <= 1.00x):")
    for label, ratio in ratios:
        verdict = "ok" if ratio <= 1.0 else "OVER TARGET"
        print(f"  {label:<28} {ratio:5.2f}x  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
