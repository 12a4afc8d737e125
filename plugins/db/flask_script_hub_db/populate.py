"""``db populate``: fixture files and ``db_populate`` hooks, loaded in one transaction.

Rows are streamed in batches of :data:`BATCH_SIZE` and written with SQLAlchemy Core
``executemany`` through ``db.session`` (so that hook implementations share the transaction).
A row whose primary key already exists is **updated** with the file's values (columns absent from
the file keep theirs), as Django's ``loaddata`` does: fixtures are the source of truth, and running
populate twice changes nothing the second time. A row without a primary key value is inserted.

On any error the transaction is rolled back. When the database refuses a batch, the load is
replayed in a new transaction (also rolled back) with that batch sent row by row, to name the
file, line and column of the row at fault.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from flask_script_hub import InvalidCommand

from .database import BindKey, cause, masked_url, scrub
from .fixtures import FixtureError, FixtureFile, Reader, RowConverter, display_path, find_files

if TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

BATCH_SIZE = 2000
#: Show a progress bar (on a terminal) when the files add up to at least this many bytes.
PROGRESS_MIN_BYTES = 256 * 1024


def fixtures_folder(app: Flask) -> Path:
    """``app.config["DB_FIXTURES_FOLDER"]`` (default ``"fixtures"``) below ``app.root_path``."""
    return Path(app.root_path, app.config.get("DB_FIXTURES_FOLDER", "fixtures"))


def collect_files(
    app: Flask, default_data: bool, sample_data: bool, paths: list[str]
) -> list[FixtureFile]:
    """The fixture files to load: ``<folder>/default/``, ``<folder>/sample/``, then ``paths``.

    A missing ``default``/``sample`` folder is reported on stderr and skipped (hooks may still
    provide the data).

    :raises FixtureError: when a path does not exist or is not a fixture file.
    """
    files: list[FixtureFile] = []
    for wanted, name in ((default_data, "default"), (sample_data, "sample")):
        if wanted:
            folder = fixtures_folder(app) / name
            if folder.is_dir():
                files.extend(find_files(folder))
            else:
                print(f"note: no fixture folder {display_path(folder)}", file=sys.stderr)
    for path in paths:
        files.extend(find_files(Path(path)))
    return files


@dataclass
class Planned:
    """A file and the table it loads into."""

    fixture: FixtureFile
    key: BindKey
    table: sa.Table
    order: tuple[int, int, int] = (0, 0, 0)


def plan(db: SQLAlchemy, files: list[FixtureFile]) -> list[Planned]:
    """Match files to tables and order them by dependency (``metadata.sorted_tables``).

    :raises FixtureError: when a file names no table, or a table of several binds.
    """
    by_name: dict[str, list[tuple[BindKey, sa.Table, int, int]]] = defaultdict(list)
    for bind_index, (key, metadata) in enumerate(db.metadatas.items()):
        for table_index, table in enumerate(metadata.sorted_tables):
            by_name[table.name].append((key, table, bind_index, table_index))
            if table.schema:
                by_name[f"{table.schema}.{table.name}"].append(
                    (key, table, bind_index, table_index)
                )
    result = []
    for file_index, fixture in enumerate(files):
        found = by_name.get(fixture.table_name, [])
        if not found:
            known = ", ".join(sorted(by_name)) or "none"
            raise FixtureError(
                fixture.path, None, None, f"no table named {fixture.table_name!r} (tables: {known})"
            )
        if len(found) > 1:
            binds = ", ".join(repr(k) for k, *_ in found)
            raise FixtureError(
                fixture.path,
                None,
                None,
                f"the table {fixture.table_name!r} is in several binds ({binds})",
            )
        key, table, bind_index, table_index = found[0]
        result.append(Planned(fixture, key, table, (bind_index, table_index, file_index)))
    return sorted(result, key=lambda p: p.order)


@dataclass
class Counts:
    """Rows written to one table."""

    inserted: int = 0
    updated: int = 0


@dataclass
class Report:
    """What a populate did, per table name."""

    tables: dict[str, Counts] = field(default_factory=dict)
    hooks: list[str] = field(default_factory=list)


class _BatchFailed(Exception):
    def __init__(self, number: int, planned: Planned, error: Exception) -> None:
        self.number = number
        self.planned = planned
        self.error = error


class Loader:
    """Loads planned files through a session; one instance per attempt."""

    def __init__(self, db: SQLAlchemy, progress: Callable[[int], None] | None = None) -> None:
        self.db = db
        self.session = db.session
        self.progress = progress
        self.report = Report()
        self.batch_number = 0

    def load(self, planned: list[Planned], diagnose: int | None = None) -> Report:
        """Write every file; with ``diagnose``, send that batch row by row and stop after it.

        :raises FixtureError: for a bad file, row or value (and, when diagnosing, the row the
            database refuses).
        :raises _BatchFailed: when the database refuses a batch.
        """
        for item in planned:
            if diagnose is not None and self.batch_number > diagnose:
                break
            self._load_file(item, diagnose)
        return self.report

    def _batches(
        self, item: Planned, numbered: bool
    ) -> Iterator[tuple[list[int], list[dict[str, Any]], bool, int]]:
        """Batches of :data:`BATCH_SIZE` rows at most.

        :param numbered: also collect the record numbers (for diagnosis; slower).
        :returns: ``(record numbers or [], rows, rows may differ in keys, bytes consumed)``.
        """
        reader = Reader(item.fixture)
        convert = RowConverter(item.table, item.fixture.path, reader.text, reader.unit)
        records = iter(reader)
        last = 0
        while True:
            convert.irregular = False
            chunk = list(islice(records, BATCH_SIZE))
            numbers = [number for number, _, _ in chunk] if numbered else []
            rows = convert.batch(chunk)
            if not rows:
                return
            position = reader.position if len(rows) == BATCH_SIZE else item.fixture.size
            yield numbers, rows, convert.irregular, position - last
            last = position

    def _load_file(self, item: Planned, diagnose: int | None) -> None:
        table = item.table
        counts = self.report.tables.setdefault(table.name, Counts())
        pk = [table.c[k] for k in (c.key for c in table.primary_key.columns)]
        bind = {"bind": self.db.engines[item.key]}
        probe = sa.select(sa.literal(1)).select_from(table).limit(1)
        empty = self.session.execute(probe, bind_arguments=bind).first() is None
        unit = "item" if item.fixture.path.suffix.lower() == ".json" else "line"
        for numbers, rows, irregular, consumed in self._batches(item, diagnose is not None):
            number = self.batch_number
            self.batch_number += 1
            if diagnose is not None and number > diagnose:
                return
            if diagnose == number:
                for record, row in zip(numbers, rows, strict=True):
                    try:
                        self._write(table, pk, [row], empty, counts, bind, False)
                    except sa.exc.DBAPIError as exc:
                        raise FixtureError(
                            item.fixture.path,
                            f"{unit} {record}",
                            guess_column(exc, table),
                            refusal(exc, self.db, item.key),
                        ) from None
                return
            try:
                self._write(table, pk, rows, empty, counts, bind, irregular)
            except sa.exc.DBAPIError as exc:
                raise _BatchFailed(number, item, exc) from exc
            if self.progress is not None:
                self.progress(consumed)

    def _write(
        self,
        table: sa.Table,
        pk: list[sa.Column[Any]],
        rows: list[dict[str, Any]],
        empty: bool,
        counts: Counts,
        bind: dict[str, Any],
        irregular: bool,
    ) -> None:
        """Insert the rows whose primary key is new, update the others (``bind``: the engine)."""
        if empty and not irregular:  # the fast path: new rows, all with the same columns
            self.session.execute(sa.insert(table), rows, bind_arguments=bind)
            counts.inserted += len(rows)
            return
        inserts: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        existing: set[Any] = set()
        keys = [c.key for c in pk]
        if not empty and pk:
            with_pk = [row for row in rows if all(k in row for k in keys)]
            if with_pk:
                if len(pk) == 1:
                    values = {row[keys[0]] for row in with_pk}
                    found = self.session.execute(
                        sa.select(pk[0]).where(pk[0].in_(values)), bind_arguments=bind
                    ).scalars()
                    existing = {(v,) for v in found}
                else:
                    tuples = {tuple(row[k] for k in keys) for row in with_pk}
                    found_rows = self.session.execute(
                        sa.select(*pk).where(sa.tuple_(*pk).in_(tuples)), bind_arguments=bind
                    )
                    existing = {tuple(r) for r in found_rows}
        for row in rows:
            if existing and all(k in row for k in keys) and tuple(row[k] for k in keys) in existing:
                params = {k: v for k, v in row.items() if k not in keys}
                if params:
                    params.update({f"pk_{k}": row[k] for k in keys})
                    updates[tuple(params)].append(params)
                counts.updated += 1
            else:
                inserts[tuple(row)].append(row)
                counts.inserted += 1
        for group in inserts.values():
            self.session.execute(sa.insert(table), group, bind_arguments=bind)
        for group in updates.values():
            condition = sa.and_(*(c == sa.bindparam(f"pk_{c.key}") for c in pk))
            self.session.execute(sa.update(table).where(condition), group, bind_arguments=bind)


#: Where drivers name the column: MySQL/MariaDB foreign keys and duplicate keys, PostgreSQL's
#: detail, SQLite's constraint messages, MySQL's "column 'x'" messages.
_COLUMN_PATTERNS = [
    re.compile(r"FOREIGN KEY \(`?(\w+)`?\)"),
    re.compile(r"Key \((\w+)\)="),
    re.compile(r"for key '(?:\w+\.)?(\w+)'"),
    re.compile(r"constraint failed: \w+\.(\w+)"),
    re.compile(r"[Cc]olumn [`'\"](\w+)[`'\"]"),
]


def guess_column(exc: sa.exc.DBAPIError, table: sa.Table) -> str | None:
    """The column a database error names, when it names one of the table's columns.

    psycopg gives it in ``diag.column_name`` (NOT NULL) or the detail ``Key (email)=...``;
    SQLite says ``UNIQUE constraint failed: users.email``; MySQL names the key or the column.
    """
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    column = getattr(diag, "column_name", None)
    if column:
        return str(column)
    text = str(orig)
    detail = getattr(diag, "message_detail", None)
    if detail:
        text = f"{text} {detail}"
    names = {c.name for c in table.columns}
    for pattern in _COLUMN_PATTERNS:
        for match in pattern.finditer(text):
            if match.group(1) in names:
                return match.group(1)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    found = [name for name in names if name in words]
    return found[0] if len(found) == 1 else None


def refusal(exc: sa.exc.DBAPIError, db: SQLAlchemy, key: BindKey) -> str:
    """The database's reason for refusing a row (password removed)."""
    engine = db.engines[key]
    text = cause(exc)
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None)
    if detail:
        text = f"{text} ({detail})"
    return scrub(f"the database refused the row: {text}", engine)


def _hook_impls(app: Flask) -> list[tuple[str, Any]]:
    """The ``db_populate`` implementations of every plugin, in pluggy's call order."""
    from flask_script_hub import current_manager

    from . import hookspecs

    manager = current_manager()
    pm = manager.plugin_manager
    caller = getattr(pm.hook, "db_populate", None)
    if caller is None or caller.spec is None:
        import pluggy

        try:
            pm.add_hookspecs(hookspecs)
        except pluggy.PluginValidationError as exc:  # an implementation with wrong arguments
            detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise InvalidCommand(f"a db_populate hook does not match its spec: {detail}") from None
    # db_populate is called below, not through call_hook, because a failure must abort the
    # populate: load every plugin first so that all implementations are registered.
    manager.load_plugins()
    impls = pm.hook.db_populate.get_hookimpls()
    return [(pm.get_name(impl.plugin) or repr(impl.plugin), impl) for impl in reversed(impls)]


def run_hooks(
    app: Flask, db: SQLAlchemy, default_data: bool, sample_data: bool, report: Report
) -> None:
    """Call each ``db_populate`` implementation and flush what it added.

    :raises InvalidCommand: naming the plugin whose implementation raised or whose rows the
        database refused.
    """
    kwargs = {"app": app, "db": db, "default_data": default_data, "sample_data": sample_data}
    for name, impl in _hook_impls(app):
        try:
            impl.function(*[kwargs[arg] for arg in impl.argnames])
            db.session.flush()
        except InvalidCommand as exc:
            raise InvalidCommand(f"the db_populate hook of {name} failed: {exc}") from exc
        except sa.exc.DBAPIError as exc:
            raise InvalidCommand(
                f"the db_populate hook of {name} failed: the database refused its rows: "
                f"{cause(exc)}"
            ) from exc
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise InvalidCommand(
                f"the db_populate hook of {name} failed: {type(exc).__name__}: {first}"
            ) from exc
        report.hooks.append(name)


def progress_bar(total: int) -> Any:
    """A rich progress bar on stderr when it is a terminal and the load is long, else nothing."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal or total < PROGRESS_MIN_BYTES:
        return nullcontext(None)
    return Progress(
        TextColumn("populate"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def check_files(planned: list[Planned]) -> int:
    """Read and convert every row of the files without touching the database.

    :returns: the number of rows.
    :raises FixtureError: for the first bad file, row or value.
    """
    count = 0
    for item in planned:
        reader = Reader(item.fixture)
        convert = RowConverter(item.table, item.fixture.path, reader.text, reader.unit)
        for number, names, values in reader:
            convert(number, names, values)
            count += 1
    return count


def run(
    app: Flask, db: SQLAlchemy, planned: list[Planned], default_data: bool, sample_data: bool
) -> Report:
    """Load the planned files, then the ``db_populate`` hooks, in one transaction.

    :param planned: from :func:`plan`.
    :returns: what was written.
    :raises InvalidCommand: for a bad file, row or value, a refused row, or a failing hook;
        nothing is changed then.
    """
    total = sum(p.fixture.size for p in planned)
    with progress_bar(total) as bar:
        advance = None
        if bar is not None:
            task = bar.add_task("populate", total=total)

            def advance(n: int) -> None:
                bar.advance(task, n)

        loader = Loader(db, advance)
        try:
            loader.load(planned)
            run_hooks(app, db, default_data, sample_data, loader.report)
            db.session.commit()
            return loader.report
        except _BatchFailed as failed:
            db.session.rollback()
            raise _diagnose(db, planned, failed) from None
        except FixtureError as exc:
            db.session.rollback()
            raise InvalidCommand(f"{exc}; nothing was loaded (rolled back)") from None
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            engine = db.engines.get(None) or next(iter(db.engines.values()))
            raise InvalidCommand(
                scrub(
                    f"populate failed on {masked_url(engine)}: {cause(exc)}; "
                    "nothing was loaded (rolled back)",
                    engine,
                )
            ) from None
        except BaseException:
            db.session.rollback()
            raise


def _diagnose(db: SQLAlchemy, planned: list[Planned], failed: _BatchFailed) -> InvalidCommand:
    """Replay up to the refused batch, row by row, to find the row at fault; always roll back."""
    try:
        Loader(db).load(planned, diagnose=failed.number)
    except FixtureError as exc:
        return InvalidCommand(f"{exc}; nothing was loaded (rolled back)")
    except (_BatchFailed, sa.exc.DBAPIError):
        pass
    finally:
        db.session.rollback()
    where = display_path(failed.planned.fixture.path)
    return InvalidCommand(
        f"{where}: {refusal(failed.error, db, failed.planned.key)}; "  # type: ignore[arg-type]
        "nothing was loaded (rolled back)"
    )
