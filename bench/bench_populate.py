"""Benchmark ``manage.py db populate`` against the fastest plain way to load the same file.

    .venv/bin/python bench/bench_populate.py [--rows 100000] [--big 1000000] [--repeat 3]
        [--no-postgresql] [--no-mariadb]

Writes ``--rows`` rows over three related tables (users 20 %, posts 40 %, comments 40 %) as CSV,
JSON Lines and JSON array files, then, each in a fresh child process and on empty tables:

* ``populate``: ``db populate <folder>`` run in-process with ``ManagerRunner`` (the plugin
  registered in code): reading, converting, checking, writing, sequences, one transaction;
* the floor, on the same machine in the same run:
  - PostgreSQL: a plain ``COPY table FROM STDIN (FORMAT csv, HEADER)`` of the CSV files through
    psycopg's ``cursor.copy()`` (for JSON Lines too: COPY cannot read JSON Lines, so its floor is
    the same rows as CSV), in one transaction;
  - SQLite and MariaDB: SQLAlchemy Core ``connection.execute(table.insert(), rows)`` of the same
    rows read from the same file (``csv.DictReader`` / ``json.loads`` per line / ``json.load``,
    values converted by hand to the column types), 2,000 rows a batch, in one transaction.

Databases: SQLite (a file), PostgreSQL (``TEST_POSTGRESQL_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and MariaDB (``TEST_MARIADB_URL``, default
``mysql+pymysql://root@127.0.0.1:3306/test``); a scratch database is created and dropped on each
server. Each format runs ``--repeat`` times, each run paired with a floor run just before it; the
table gives the best times, their ratio, and the median of the paired ratios (steadier on a
shared machine). Memory is the growth of the child's peak RSS during the load (``VmHWM`` after
the load minus before it), at ``--rows`` and at ``--big`` rows (CSV and JSON Lines, which are
streamed; a JSON array is read whole).
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
#: formats measured at ``--big`` rows for memory (streamed; a JSON array is read whole)
BIG_FORMATS = ("csv", "jsonl")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_MARIADB = "mysql+pymysql://root@127.0.0.1:3306/test"
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


def _by_hand(table: str, item: dict[str, Any]) -> dict[str, Any]:
    """What a hand-written loader converts: the columns that are not text."""
    if table == "users":
        active = item["active"]
        item["id"] = int(item["id"])
        item["age"] = int(item["age"])
        item["active"] = active if isinstance(active, bool) else active == "true"
        item["joined"] = datetime.date.fromisoformat(item["joined"])
    elif table == "posts":
        item["id"], item["user_id"] = int(item["id"]), int(item["user_id"])
        item["score"] = float(item["score"])
    else:
        item["id"], item["post_id"] = int(item["id"]), int(item["post_id"])
    return item


def _read(path: Path) -> Any:
    """The items of one file, as dicts of text (CSV) or JSON values, streamed where possible."""
    import csv

    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as f:
            yield from csv.DictReader(f)
    elif path.suffix == ".jsonl":
        with open(path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)
    else:
        with open(path, encoding="utf-8") as f:
            yield from json.load(f)


def floor_executemany(db: Any, data: Path) -> None:
    from itertools import islice

    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            [path] = data.glob(f"{table.name}.*")
            items = (_by_hand(table.name, item) for item in _read(path))
            while batch := list(islice(items, 2000)):
                conn.execute(table.insert(), batch)


def floor_copy(db: Any, data: Path) -> None:
    csv_folder = data.parent / "x1-csv" if data.name.startswith("x1") else data.parent / "xb-csv"
    with db.engine.begin() as conn:
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor:
            for table in db.metadata.sorted_tables:
                statement = f"COPY {table.name} FROM STDIN (FORMAT csv, HEADER true)"
                with (
                    cursor.copy(statement) as copy,
                    open(csv_folder / f"{table.name}.csv", "rb") as f,
                ):
                    while block := f.read(1 << 16):
                        copy.write(block)


def child(mode: str, url: str, data: Path, rows: int) -> dict[str, Any]:
    app, db = make_app(url)
    if mode == "floor":
        with app.app_context():
            import sqlalchemy as sa

            sa.inspect(db.engine)  # connect before measuring, as populate's warm-up does
            before = peak_kib()
            start = time.perf_counter()
            if db.engine.dialect.name == "postgresql":
                floor_copy(db, data)
            else:
                floor_executemany(db, data)
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


def scratch_database(base: str) -> tuple[str, str] | None:
    """Create a scratch database on the server of ``base``; ``(url, name)``, or ``None``."""
    import sqlalchemy as sa

    name = f"fsh_bench_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
    except Exception as exc:  # no server: say so and go on with the others
        backend = sa.engine.make_url(base).get_backend_name()
        first = str(exc).splitlines()[0]
        print(f"{backend} skipped: {type(exc).__name__}: {first}", file=sys.stderr)
        return None
    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False), name


def drop_scratch(base: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    force = " WITH (FORCE)" if engine.dialect.name == "postgresql" else ""
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="rows of the memory runs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-mariadb", action="store_true")
    parser.add_argument("--child", choices=("populate", "floor"))
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
    servers: list[tuple[str, str]] = []
    for label, variable, default, skip in (
        ("PostgreSQL", "TEST_POSTGRESQL_URL", DEFAULT_PG, args.no_postgresql),
        ("MariaDB", "TEST_MARIADB_URL", DEFAULT_MARIADB, args.no_mariadb),
    ):
        base = os.environ.get(variable, default)
        scratch = None if skip else scratch_database(base)
        if scratch:
            databases.append((label, scratch[0]))
            servers.append((base, scratch[1]))
    try:
        sizes = {}
        for fmt in FORMATS:
            sizes[fmt] = write_files(work / f"x1-{fmt}", args.rows, fmt)
        for fmt in BIG_FORMATS if args.big else ():
            sizes[f"big-{fmt}"] = write_files(work / f"xb-{fmt}", args.big, fmt)
        table = Table(
            title=f"db populate of {args.rows:,} rows (3 tables), {args.repeat} paired runs"
        )
        for column in (
            "database",
            "method",
            "files",
            "seconds",
            "rows/s",
            "best vs best floor",
            "median of paired ratios",
            f"peak RSS growth {args.rows:,} -> {args.big:,} rows",
        ):
            table.add_column(
                column, justify="left" if column in ("database", "method", "files") else "right"
            )
        for label, url in databases:
            floor_name = "plain COPY FROM STDIN" if label == "PostgreSQL" else "Core executemany"
            results = []
            for fmt in FORMATS:
                # pairs run back to back, so that both sides of a ratio see the same machine load
                pairs = []
                for _ in range(args.repeat):
                    floor = measure("floor", url, work / f"x1-{fmt}", args.rows, 1)
                    run = measure("populate", url, work / f"x1-{fmt}", args.rows, 1)
                    pairs.append((floor, run))
                big = None
                if fmt in BIG_FORMATS and args.big:
                    big = (
                        measure("floor", url, work / f"xb-{fmt}", args.big, 1),
                        measure("populate", url, work / f"xb-{fmt}", args.big, 1),
                    )
                results.append((fmt, pairs, big))
            for fmt, pairs, big in results:
                best_floor = min(f["seconds"] for f, _ in pairs)
                best = min(r["seconds"] for _, r in pairs)
                ratios = [run["seconds"] / floor["seconds"] for floor, run in pairs]
                for method, figures, seconds, ratio, median in (
                    (floor_name, [f for f, _ in pairs], best_floor, "1.00x", "1.00x"),
                    (
                        "db populate",
                        [r for _, r in pairs],
                        best,
                        f"{best / best_floor:.2f}x",
                        f"{statistics.median(ratios):.2f}x",
                    ),
                ):
                    growth = max(f["growth_kib"] for f in figures) / 1024
                    index = 0 if method == floor_name else 1
                    memory = (
                        f"{growth:.1f} -> {big[index]['growth_kib'] / 1024:.1f} MiB"
                        if big
                        else f"{growth:.1f} MiB (read whole)"
                    )
                    table.add_row(
                        label,
                        method,
                        f".{fmt} ({sizes[fmt] / 2**20:.1f} MiB)",
                        f"{seconds:.2f}",
                        f"{args.rows / seconds:,.0f}",
                        ratio,
                        median,
                        memory,
                    )
        Console(width=160).print(table)
        print(
            "floor: PostgreSQL, plain COPY FROM STDIN of the CSV files (also for .jsonl and "
            ".json); SQLite/MariaDB, Core executemany of the rows read from the same file. "
            "peak RSS growth: the child's VmHWM after the load minus before it."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for base, name in servers:
            drop_scratch(base, name)


if __name__ == "__main__":
    main()
