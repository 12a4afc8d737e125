"""Benchmark ``manage.py db populate`` against a plain SQLAlchemy Core ``executemany`` insert.

    .venv/bin/python bench/bench_populate.py [--rows 100000] [--repeat 3] [--no-postgresql]

Writes 100,000 rows over three related tables (users 20 %, posts 40 %, comments 40 %) as CSV,
JSON Lines and JSON array files, then, each in a fresh child process and on empty tables:

* ``populate``: ``db populate <folder>`` run in-process with ``ManagerRunner`` (the plugin
  registered in code): reading, converting, checking primary keys, inserting, one transaction;
* ``executemany``: the same rows, already in memory as typed Python values, inserted with
  ``connection.execute(table.insert(), rows)`` per table in one transaction: the floor.

Databases: SQLite (a file) and PostgreSQL (``TEST_POSTGRESQL_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; a scratch database is created and dropped).
Each format runs ``--repeat`` times, each run paired with an ``executemany`` run just before
it; the table gives the best times, their ratio, and the median of the paired ratios (steadier
on a shared machine). Memory is the growth of the child's peak RSS during the
load (``VmHWM`` after the load minus before it), measured at 1x and 3x the rows to show whether
it grows with the file size: CSV and JSON Lines are streamed, a JSON array is read whole.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

FORMATS = ("csv", "jsonl", "json")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime.date(2020, 1, 1)


# -- data -------------------------------------------------------------------------------------
def split(rows: int) -> tuple[int, int, int]:
    users = rows // 5
    posts = (rows - users) // 2
    return users, posts, rows - users - posts


def generate(rows: int) -> dict[str, list[dict[str, Any]]]:
    """The rows of the three tables, as typed Python values."""
    n_users, n_posts, n_comments = split(rows)
    users = [
        {
            "id": i,
            "name": f"User {i}",
            "email": f"user{i}@example.org",
            "age": i % 90,
            "active": i % 3 != 0,
            "joined": START + datetime.timedelta(days=i % 1000),
        }
        for i in range(1, n_users + 1)
    ]
    posts = [
        {"id": i, "user_id": 1 + i % n_users, "title": f"Post number {i}", "score": (i % 50) / 10}
        for i in range(1, n_posts + 1)
    ]
    comments = [
        {"id": i, "post_id": 1 + i % n_posts, "body": f"Comment {i}: " + "lorem ipsum " * 3}
        for i in range(1, n_comments + 1)
    ]
    return {"users": users, "posts": posts, "comments": comments}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def write_files(folder: Path, rows: int, fmt: str) -> int:
    """Write the three tables in one format; return the total size in bytes."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for table, items in generate(rows).items():
        path = folder / f"{table}.{fmt}"
        with open(path, "w", encoding="utf-8", newline="") as f:
            if fmt == "csv":
                writer = csv.writer(f)
                writer.writerow(items[0])
                for item in items:
                    writer.writerow(
                        [
                            ("true" if v else "false") if isinstance(v, bool) else _plain(v)
                            for v in item.values()
                        ]
                    )
            elif fmt == "jsonl":
                for item in items:
                    f.write(json.dumps({k: _plain(v) for k, v in item.items()}) + "\n")
            else:
                json.dump([{k: _plain(v) for k, v in item.items()} for item in items], f)
    return sum(p.stat().st_size for p in folder.iterdir())


# -- the child: one measurement in a fresh process ---------------------------------------------
def make_app(url: str) -> Any:
    import sqlalchemy as sa
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    class User(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50), nullable=False)
        email = sa.Column(sa.String(100))
        age = sa.Column(sa.Integer)
        active = sa.Column(sa.Boolean, nullable=False)
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

    app = Flask("bench")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app, db


def peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux's ``VmHWM`` (per address space, so reset by exec); ``ru_maxrss`` is inherited from the
    parent across fork and exec, which would hide a child's growth below the driver's own peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(mode: str, url: str, data: Path, rows: int) -> dict[str, Any]:
    app, db = make_app(url)
    if mode == "executemany":
        tables = generate(rows)
        before = peak_kib()
        with app.app_context():
            start = time.perf_counter()
            with db.engine.begin() as conn:
                for table in db.metadata.sorted_tables:
                    conn.execute(table.insert(), tables[table.name])
            seconds = time.perf_counter() - start
    else:
        import flask_script_hub_db.plugin
        from flask_script_hub import Manager
        from flask_script_hub.testing import ManagerRunner

        manager = Manager(app)
        manager.register_plugin(flask_script_hub_db.plugin, name="db")
        env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
        ManagerRunner().invoke(manager, ["db", "tables"], env=env)  # warm up imports
        before = peak_kib()
        start = time.perf_counter()
        result = ManagerRunner().invoke(manager, ["db", "populate", str(data)], env=env)
        seconds = time.perf_counter() - start
        if result.exit_code != 0:
            raise SystemExit(f"populate failed: {result.stderr}")
    with app.app_context():
        import sqlalchemy as sa

        with db.engine.connect() as conn:
            count = sum(
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables
            )
        db.engine.dispose()
    assert count == rows, (count, rows)
    return {"seconds": seconds, "growth_kib": peak_kib() - before}


# -- the driver -------------------------------------------------------------------------------
def measure(mode: str, url: str, data: Path, rows: int, repeat: int) -> dict[str, Any]:
    best: dict[str, Any] | None = None
    for _ in range(repeat):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--url",
                url,
                "--data",
                str(data),
                "--rows",
                str(rows),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"{mode} on {url} failed:\n{out.stderr}")
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or figures["seconds"] < best["seconds"]:
            best = {
                **figures,
                "growth_kib": max(figures["growth_kib"], (best or figures)["growth_kib"]),
            }
    assert best is not None
    return best


def postgresql_scratch(base: str) -> tuple[str, str] | None:
    import sqlalchemy as sa

    name = f"fsh_bench_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
    except Exception as exc:  # no server: say so and go on with SQLite
        print(
            f"PostgreSQL skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr
        )
        return None
    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False), name


def drop_scratch(base: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--child", choices=("populate", "executemany"))
    parser.add_argument("--url")
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.data, args.rows)))
        return

    from rich.console import Console
    from rich.table import Table

    work = Path(tempfile.mkdtemp(prefix="fsh-bench-"))
    databases: list[tuple[str, str]] = [("SQLite", f"sqlite:///{work / 'bench.sqlite'}")]
    pg_base = os.environ.get("TEST_POSTGRESQL_URL", DEFAULT_PG)
    scratch = None if args.no_postgresql else postgresql_scratch(pg_base)
    if scratch:
        databases.append(("PostgreSQL", scratch[0]))
    try:
        sizes = {}
        for fmt in FORMATS:
            sizes[fmt] = write_files(work / f"x1-{fmt}", args.rows, fmt)
            sizes[f"{fmt}x3"] = write_files(work / f"x3-{fmt}", args.rows * 3, fmt)
        table = Table(
            title=f"db populate of {args.rows:,} rows (3 tables), {args.repeat} paired runs"
        )
        for column in (
            "database",
            "method",
            "files",
            "seconds",
            "rows/s",
            "best vs best",
            "median of paired ratios",
            "peak RSS growth 1x -> 3x rows",
        ):
            table.add_column(
                column, justify="left" if column in ("database", "method", "files") else "right"
            )
        for label, url in databases:
            floor3 = measure("executemany", url, work, args.rows * 3, 1)
            floors: list[float] = []
            results = []
            for fmt in FORMATS:
                # pairs run back to back, so that both sides of a ratio see the same machine load
                pairs = []
                for _ in range(args.repeat):
                    floor = measure("executemany", url, work, args.rows, 1)["seconds"]
                    run = measure("populate", url, work / f"x1-{fmt}", args.rows, 1)
                    pairs.append((floor, run))
                floors.extend(f for f, _ in pairs)
                run3 = measure("populate", url, work / f"x3-{fmt}", args.rows * 3, 1)
                results.append((fmt, pairs, run3))
            best_floor = min(floors)
            table.add_row(
                label,
                "Core executemany",
                "(rows in memory)",
                f"{best_floor:.2f}",
                f"{args.rows / best_floor:,.0f}",
                "1.00x",
                "1.00x",
                f"{floor3['growth_kib'] / 1024:.1f} MiB (3x)",
            )
            for fmt, pairs, run3 in results:
                best = min(pairs, key=lambda pair: pair[1]["seconds"])[1]
                ratios = [run["seconds"] / floor for floor, run in pairs]
                table.add_row(
                    label,
                    "db populate",
                    f".{fmt} ({sizes[fmt] / 2**20:.1f} MiB)",
                    f"{best['seconds']:.2f}",
                    f"{args.rows / best['seconds']:,.0f}",
                    f"{best['seconds'] / best_floor:.2f}x",
                    f"{statistics.median(ratios):.2f}x",
                    f"{max(r['growth_kib'] for _, r in pairs) / 1024:.1f} -> "
                    f"{run3['growth_kib'] / 1024:.1f} MiB",
                )
        Console(width=150).print(table)
        print(
            "peak RSS growth: the child's VmHWM after the load minus before it (imports and "
            "the app excluded); 3x = the same tables with three times the rows."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if scratch:
            drop_scratch(pg_base, scratch[1])


if __name__ == "__main__":
    main()
