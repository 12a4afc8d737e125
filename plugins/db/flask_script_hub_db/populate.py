"""``db populate``: fixture files and ``db_populate`` hooks, loaded in one transaction per bind.

Rows are streamed in batches of :data:`BATCH_SIZE` through ``db.session`` (so that hook
implementations share the transaction): new rows into an empty table with one ``COPY`` per file
on PostgreSQL (psycopg) and SQLAlchemy Core ``executemany`` elsewhere; rows whose primary key may
exist with the dialect's native upsert (:mod:`.dialects`). A row whose primary key already exists
is **updated** with the file's values (columns absent from the file keep theirs), as Django's
``loaddata`` does: fixtures are the source of truth, and running populate twice changes nothing
the second time. A row without a primary key value is inserted.

On any error the transaction is rolled back. When the database refuses a batch, the load is
replayed in a new transaction (also rolled back) with that batch sent row by row (in savepoints
for a COPY stream), to name the file, line and column of the row at fault. Every bind is flushed
before any commits (:func:`commit_binds`).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from flask_script_hub import InvalidCommand, current_manager

from .database import BindKey, bind_label, cause, masked_url, scrub
from .diagnostics import refused_column
from .dialects import (
    CopyStream,
    StagedUpsert,
    advance_sequences,
    begin_for_ddl,
    can_copy,
    check_deferred_constraints,
    copy_rows,
    copy_statement,
    has_upsert,
    upsert,
)
from .records import CSV_FIELD_LIMIT, FixtureError, FixtureFile, Reader, display_path, find_files
from .rowplan import RowConverter, Values

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

    A missing ``default``/``sample`` folder is an error, unless a ``db_populate`` hook is
    registered (it may provide that data): then a note on stderr says it was skipped.

    :raises FixtureError: when a path or folder does not exist or is not a fixture file.
    """
    limit = int(app.config.get("DB_FIXTURES_CSV_FIELD_LIMIT", CSV_FIELD_LIMIT))
    files: list[FixtureFile] = []
    for wanted, name in ((default_data, "default"), (sample_data, "sample")):
        if wanted:
            folder = fixtures_folder(app) / name
            if folder.is_dir():
                files.extend(find_files(folder, limit))
            elif _hook_impls(app):
                print(f"note: no fixture folder {display_path(folder)}", file=sys.stderr)
            else:
                setting = app.config.get("DB_FIXTURES_FOLDER", "fixtures")
                raise FixtureError(
                    folder,
                    None,
                    None,
                    f"no such folder for --{name}-data (DB_FIXTURES_FOLDER is {setting!r}, "
                    "below the app's root_path)",
                )
    for path in paths:
        files.extend(find_files(Path(path), limit))
    return files


@dataclass
class Planned:
    """A file and the table it loads into."""

    fixture: FixtureFile
    key: BindKey
    table: sa.Table
    order: tuple[int, int, int] = (0, 0, 0)
    #: the bind's backend (``engine.dialect.name``)
    dialect: str = "sqlite"


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
        dialect = db.engines[key].dialect.name
        result.append(Planned(fixture, key, table, (bind_index, table_index, file_index), dialect))
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
    """The database refused batch ``number`` (with ``stream``: one of the batches from
    ``number`` to the end of the file, sent through one COPY)."""

    def __init__(
        self, number: int, planned: Planned, error: Exception, stream: bool = False
    ) -> None:
        self.number = number
        self.planned = planned
        self.error = error
        self.stream = stream


class TableWriter:
    """Writes the batches of one file into its table through the session.

    An empty table (when the file starts) gets plain ``INSERT`` executemany, or on PostgreSQL one
    ``COPY``: the database's own primary key constraint refuses a duplicate. A table with rows
    gets the dialect's native upsert (:func:`~flask_script_hub_db.dialects.upsert`), on PostgreSQL
    through a temporary table (:class:`~flask_script_hub_db.dialects.StagedUpsert`), and a
    primary key given twice in the file is an error (an upsert would silently keep the last).
    Rows without a primary key are inserted.
    """

    #: temporary tables made so far in this process (their names must differ in a transaction)
    _stages = 0

    def __init__(
        self,
        session: Any,
        item: Planned,
        engine: sa.Engine,
        unit: str,
        counts: Counts,
        stream: bool = True,
    ) -> None:
        self.session = session
        self.table = item.table
        self.path = item.fixture.path
        self.unit = unit
        self.counts = counts
        self.engine = engine
        self.dialect = engine.dialect.name
        self.pk = [c.key for c in self.table.primary_key.columns]
        probe = sa.select(sa.literal(1)).select_from(self.table).limit(1)
        empty = session.execute(probe, bind_arguments=self.bind).first() is None
        self.upserting = not empty and bool(self.pk) and has_upsert(self.dialect)
        #: new rows go through COPY (PostgreSQL with psycopg, plain column types)
        self.copy = not self.upserting and can_copy(
            self.table, session.connection(bind_arguments=self.bind)
        )
        #: primary key -> record number, in the upsert path only
        self.seen: dict[tuple[Any, ...], int] = {}
        self._statements: dict[tuple[str, ...], sa.Executable] = {}
        self._copies: dict[tuple[str, ...], tuple[Any, tuple[Any, ...]] | None] = {}
        #: keep one COPY open across the batches of the file (the server works while the next
        #: batch is read and converted); ``False`` sends one COPY per batch
        self.stream = stream
        self._open: CopyStream | None = None
        #: the batch number where the open COPY started (see :class:`_BatchFailed`)
        self.stream_start: int | None = None
        #: rows whose primary key may exist go through a temporary table (PostgreSQL)
        self.staging = (
            self.upserting
            and stream
            and can_copy(self.table, session.connection(bind_arguments=self.bind))
        )
        self._staged: StagedUpsert | None = None
        #: columns an INSERT must give: NOT NULL, no default, not the primary key
        self.required = [
            c
            for c in self.table.columns
            if c.nullable is False
            and not c.primary_key
            and c.default is None
            and c.server_default is None
        ]
        #: MySQL/MariaDB table with unique keys besides the primary key (see :meth:`write`)
        self.other_unique_keys = self.dialect in ("mysql", "mariadb") and (
            any(isinstance(c, sa.UniqueConstraint) for c in self.table.constraints)
            or any(index.unique for index in self.table.indexes)
        )
        #: a prefix for the primary key parameters of UPDATE that no column key starts with
        self.param_prefix = "pk_"
        while any(c.key.startswith(self.param_prefix) for c in self.table.columns):
            self.param_prefix = "_" + self.param_prefix

    def write(
        self,
        numbers: list[int],
        rows: list[dict[str, Any]] | Values,
        irregular: bool,
        batch: int = 0,
    ) -> None:
        """Write one batch.

        :param numbers: the rows' record numbers (to name a duplicate primary key).
        :param irregular: the rows may differ in their keys.
        :param batch: the batch's number (to say where a COPY stream started).
        :raises FixtureError: for a primary key given twice in the file (upsert path).
        :raises sqlalchemy.exc.DBAPIError: when the database refuses the batch.
        """
        if isinstance(rows, Values):  # converted straight to tuples for the COPY stream
            self._stream_values(rows, batch)
            return
        if not self.upserting and not irregular:  # the fast path: new rows, the same columns
            keys = tuple(rows[0])
            copy = self._copy_statement(keys) if self.copy else None
            if copy is not None and self.stream:
                if self._open is not None and self._open.keys != keys:
                    self.finish()
                if self._open is None:
                    conn = self.session.connection(bind_arguments=self.bind)
                    self._open = CopyStream(conn, keys, *copy)
                    self.stream_start = batch
                self._open.write(rows)
            elif copy is not None:
                conn = self.session.connection(bind_arguments=self.bind)
                copy_rows(conn, *copy, rows)
            else:
                self.session.execute(sa.insert(self.table), rows, bind_arguments=self.bind)
            self.counts.inserted += len(rows)
            return
        if self._open is not None:
            self.finish()
        groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        pk = self.pk
        for number, row in zip(numbers, rows, strict=True):
            groups[tuple(row)].append((number, row))
            if self.upserting and all(k in row for k in pk):
                value = tuple(row[k] for k in pk)
                first = self.seen.setdefault(value, number)
                if first != number:
                    shown = ", ".join(map(str, value))
                    raise FixtureError(
                        self.path,
                        f"{self.unit} {number}",
                        ", ".join(pk),
                        f"duplicate primary key ({shown}), first given on {self.unit} {first}",
                    )
        for keys, numbered in groups.items():
            group = [row for _, row in numbered]
            staged = (
                self.staging
                and all(k in keys for k in pk)
                and not any(c.key not in keys for c in self.required)
            )
            if staged and self._stage(keys, group, batch):
                continue
            self.finish()  # no COPY may be open while other statements run
            if not (self.upserting and all(k in keys for k in pk)):
                self.session.execute(sa.insert(self.table), group, bind_arguments=self.bind)
                self.counts.inserted += len(group)
                continue
            missing = [c for c in self.required if c.key not in keys]
            if missing:  # such a row cannot be inserted: it updates an existing row
                self._update(keys, numbered, missing[0])
                continue
            existing = self._existing(group)
            if self.other_unique_keys:
                # MySQL's ON DUPLICATE KEY UPDATE acts on a conflict with *any* unique key: a new
                # row whose email exists would update that other row. New rows are inserted
                # instead (a clash is refused); rows whose primary key exists are upserted.
                new_rows = [r for r in group if tuple(r[k] for k in pk) not in existing]
                if new_rows:
                    self.session.execute(sa.insert(self.table), new_rows, bind_arguments=self.bind)
                group = [r for r in group if tuple(r[k] for k in pk) in existing]
                if not group:
                    self.counts.inserted += len(new_rows)
                    continue
            self.session.execute(self._upsert(keys), group, bind_arguments=self.bind)
            self.counts.updated += len(existing)
            self.counts.inserted += len(numbered) - len(existing)

    def _update(
        self, keys: tuple[str, ...], numbered: list[tuple[int, dict[str, Any]]], missing: Any
    ) -> None:
        """``UPDATE`` rows that omit a NOT NULL column without default; each must exist."""
        existing = self._existing([row for _, row in numbered])
        for number, row in numbered:
            if tuple(row[k] for k in self.pk) not in existing:
                raise FixtureError(
                    self.path,
                    f"{self.unit} {number}",
                    missing.name,
                    "missing, and no row with this primary key exists to update "
                    "(the column is NOT NULL without a default)",
                )
        given = [k for k in keys if k not in self.pk]
        if given:
            prefix = self.param_prefix
            condition = sa.and_(*(self.table.c[k] == sa.bindparam(prefix + k) for k in self.pk))
            statement = sa.update(self.table).where(condition)
            params = [{**row, **{prefix + k: row[k] for k in self.pk}} for _, row in numbered]
            for param in params:
                for k in self.pk:
                    del param[k]
            self.session.execute(statement, params, bind_arguments=self.bind)
        self.counts.updated += len(numbered)

    @property
    def wants_values(self) -> bool:
        """Batches may come as :class:`Values` (new rows streamed through COPY)."""
        return self.copy and self.stream

    def _stream_values(self, values: Values, batch: int) -> None:
        copy = self._copy_statement(values.keys)
        if copy is None:  # a column left out has a per-row default: INSERT the rows
            self.finish()
            self.session.execute(sa.insert(self.table), values.dicts(), bind_arguments=self.bind)
        else:
            if self._open is not None and self._open.keys != values.keys:
                self.finish()
            if self._open is None:
                conn = self.session.connection(bind_arguments=self.bind)
                self._open = CopyStream(conn, values.keys, *copy)
                self.stream_start = batch
            self._open.write_values(values.rows)
        self.counts.inserted += len(values.rows)

    def _stage(self, keys: tuple[str, ...], rows: list[dict[str, Any]], batch: int) -> bool:
        """Send rows to the temporary table of a :class:`StagedUpsert` (PostgreSQL).

        :returns: ``False`` when these columns cannot be staged (a per-row default).
        """
        if self._staged is not None and self._staged.keys != keys:
            self.finish()
        if self._staged is None:
            conn = self.session.connection(bind_arguments=self.bind)
            TableWriter._stages += 1
            name = f"fsh_populate_stage_{TableWriter._stages}"
            try:
                self._staged = StagedUpsert(conn, self.table, keys, name)
            except ValueError:
                return False
            self.stream_start = batch
        self._staged.write(rows)
        return True

    def finish(self) -> None:
        """End the open COPY, if any: the database checks the last rows now.

        :raises sqlalchemy.exc.DBAPIError: when it refuses them.
        """
        if self._open is not None:
            stream, self._open = self._open, None
            stream.close()
            self.stream_start = None
        if self._staged is not None:
            staged, self._staged = self._staged, None
            existing = staged.close()
            self.counts.updated += existing
            self.counts.inserted += staged.rows - existing
            self.stream_start = None

    def abort(self) -> None:
        """End the open COPY without loading it (another error stopped the load)."""
        if self._open is not None:
            stream, self._open = self._open, None
            stream.abort()
        if self._staged is not None:
            staged, self._staged = self._staged, None
            staged.abort()

    @property
    def bind(self) -> dict[str, Any]:
        """Fresh ``bind_arguments`` for each call: ``Session.connection()`` pops its keys."""
        return {"bind": self.engine}

    def _copy_statement(self, keys: tuple[str, ...]) -> tuple[Any, tuple[Any, ...]] | None:
        if keys not in self._copies:
            self._copies[keys] = copy_statement(self.table, keys)
        return self._copies[keys]

    def _upsert(self, keys: tuple[str, ...]) -> sa.Executable:
        statement = self._statements.get(keys)
        if statement is None:
            statement = self._statements[keys] = upsert(self.table, self.dialect, keys)
        return statement

    def _existing(self, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        """Which of the rows' primary keys exist (for the report only: the upsert decides)."""
        columns = [self.table.c[k] for k in self.pk]
        if len(columns) == 1:
            condition = columns[0].in_([row[self.pk[0]] for row in rows])
        else:
            condition = sa.tuple_(*columns).in_([tuple(row[k] for k in self.pk) for row in rows])
        query = sa.select(*columns).where(condition)
        return {tuple(r) for r in self.session.execute(query, bind_arguments=self.bind)}


class Loader:
    """Loads planned files through a session; one instance per attempt."""

    def __init__(self, db: SQLAlchemy, progress: Callable[[int], None] | None = None) -> None:
        self.db = db
        self.session = db.session
        self.progress = progress
        self.report = Report()
        self.batch_number = 0

    def load(self, planned: list[Planned], diagnose: _BatchFailed | None = None) -> Report:
        """Write every file; with ``diagnose``, find the row at fault in the refused batch.

        The refused batch (or, for a COPY stream, each batch from where the stream started to
        the end of its file, each in a savepoint) is sent again row by row; loading stops after
        it.

        :raises FixtureError: for a bad file, row or value (and, when diagnosing, the row the
            database refuses).
        :raises _BatchFailed: when the database refuses a batch.
        """
        for item in planned:
            if (
                diagnose is not None
                and self.batch_number > diagnose.number
                and (not diagnose.stream or item is not diagnose.planned)
            ):
                break
            self._load_file(item, diagnose)
            if diagnose is not None and item is diagnose.planned:
                break
        return self.report

    def _batches(
        self, item: Planned, values: bool = False
    ) -> Iterator[tuple[list[int], list[dict[str, Any]] | Values, bool, int]]:
        """Batches of :data:`BATCH_SIZE` rows at most.

        :param values: give regular batches as :class:`Values` tuples (for COPY).
        :returns: ``(record numbers, rows, rows may differ in keys, bytes consumed)``.
        """
        reader = Reader(item.fixture)
        convert = RowConverter(
            item.table, item.fixture.path, reader.text, reader.unit, item.dialect
        )
        records = iter(reader)
        last = 0
        while True:
            convert.irregular = False
            chunk = list(islice(records, BATCH_SIZE))
            numbers = [number for number, _, _ in chunk]
            rows: list[dict[str, Any]] | Values | None = None
            if values:
                rows = convert.batch_values(chunk)
            if rows is None:
                rows = convert.batch(chunk)
            if not rows:
                return
            position = reader.position if len(rows) == BATCH_SIZE else item.fixture.size
            yield numbers, rows, convert.irregular, position - last
            last = position

    def _load_file(self, item: Planned, diagnose: _BatchFailed | None) -> None:
        table = item.table
        counts = self.report.tables.setdefault(table.name, Counts())
        unit = "item" if item.fixture.path.suffix.lower() == ".json" else "line"
        engine = self.db.engines[item.key]
        writer = TableWriter(self.session, item, engine, unit, counts, stream=diagnose is None)
        try:
            for numbers, rows, irregular, consumed in self._batches(item, writer.wants_values):
                number = self.batch_number
                self.batch_number += 1
                if diagnose is not None and number >= diagnose.number:
                    if isinstance(rows, Values):
                        rows = rows.dicts()
                    if not diagnose.stream:
                        if number == diagnose.number:
                            self._find_refused(writer, item, unit, numbers, rows, False)
                        return
                    self._find_refused(writer, item, unit, numbers, rows, True)
                    continue
                try:
                    writer.write(numbers, rows, irregular, number)
                except sa.exc.DBAPIError as exc:
                    start = writer.stream_start
                    writer.abort()
                    if start is not None:
                        raise _BatchFailed(start, item, exc, stream=True) from exc
                    raise _BatchFailed(number, item, exc) from exc
                if self.progress is not None:
                    self.progress(consumed)
            start = writer.stream_start
            try:
                writer.finish()
            except sa.exc.DBAPIError as exc:
                raise _BatchFailed(start or 0, item, exc, stream=True) from exc
        except BaseException:
            writer.abort()
            raise

    def _find_refused(
        self,
        writer: TableWriter,
        item: Planned,
        unit: str,
        numbers: list[int],
        rows: list[dict[str, Any]],
        savepoints: bool,
    ) -> None:
        """Send a batch again (in a savepoint), then row by row, to name the row refused.

        :raises FixtureError: naming the row, its column and the database's reason.
        """
        engine = self.db.engines[item.key]
        conn = self.session.connection(bind_arguments={"bind": engine})
        if savepoints:
            begin_for_ddl(conn)
            savepoint = conn.begin_nested()
            try:
                writer.write(numbers, rows, False)
                savepoint.commit()
                return
            except sa.exc.DBAPIError:
                savepoint.rollback()
        for record, row in zip(numbers, rows, strict=True):
            nested = conn.begin_nested() if savepoints else None
            try:
                writer.write([record], [row], False)
            except sa.exc.DBAPIError as exc:
                raise FixtureError(
                    item.fixture.path,
                    f"{unit} {record}",
                    refused_column(exc, item.table, engine),
                    refusal(exc, self.db, item.key),
                ) from None
            if nested is not None:
                nested.commit()


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
    manager = current_manager()
    pm = manager.plugin_manager
    # db_populate is called below, not through call_hook, because a failure must abort the
    # populate: load every plugin first so that all implementations are registered.
    manager.load_plugins()
    caller = getattr(pm.hook, "db_populate", None)
    impls = caller.get_hookimpls() if caller is not None else []
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
        except (Exception, SystemExit) as exc:  # a hook's sys.exit() aborts the populate, too
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

    Also finds a primary key given twice in one file.

    :returns: the number of rows.
    :raises FixtureError: for the first bad file, row or value.
    """
    count = 0
    for item in planned:
        reader = Reader(item.fixture)
        convert = RowConverter(
            item.table, item.fixture.path, reader.text, reader.unit, item.dialect
        )
        pk = [c.key for c in item.table.primary_key.columns]
        seen: dict[tuple[Any, ...], int] = {}
        for number, names, values in reader:
            row = convert(number, names, values)
            count += 1
            if pk and all(k in row for k in pk):
                value = tuple(row[k] for k in pk)
                first = seen.setdefault(value, number)
                if first != number:
                    shown = ", ".join(map(str, value))
                    raise FixtureError(
                        item.fixture.path,
                        f"{reader.unit} {number}",
                        ", ".join(pk),
                        f"duplicate primary key ({shown}), first given on {reader.unit} {first}",
                    )
    return count


ROLLED_BACK = "nothing was loaded (rolled back)"


def run(
    app: Flask,
    db: SQLAlchemy,
    planned: list[Planned],
    default_data: bool,
    sample_data: bool,
    prepare: Callable[[], None] | None = None,
    rolled_back: str = ROLLED_BACK,
) -> Report:
    """Load the planned files, then the ``db_populate`` hooks, in one transaction per bind.

    Every bind is written and flushed (and PostgreSQL's deferred constraints checked) before
    any bind commits; sequences are moved past the loaded ids (:func:`advance_sequences`).

    :param planned: from :func:`plan`.
    :param prepare: called first in each attempt, inside the session's transaction (``recreate``
        drops and creates tables there).
    :param rolled_back: what the error messages say of the state after a rollback.
    :returns: what was written.
    :raises InvalidCommand: for a bad file, row or value, a refused row, or a failing hook (the
        transaction is rolled back: ``rolled_back`` says so); or when a commit fails after
        other binds committed (the message names which binds were committed).
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
            if prepare is not None:
                prepare()
            loader.load(planned)
            run_hooks(app, db, default_data, sample_data, loader.report)
            db.session.flush()
            _before_commit(db, planned, bool(loader.report.hooks))
        except _BatchFailed as failed:
            db.session.rollback()
            raise _diagnose(db, planned, failed, prepare, rolled_back) from None
        except FixtureError as exc:
            db.session.rollback()
            raise InvalidCommand(f"{exc}; {rolled_back}") from None
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            raise InvalidCommand(f"populate failed: {cause(exc)}; {rolled_back}") from None
        except BaseException:
            db.session.rollback()
            raise
        commit_binds(db, rolled_back)
        return loader.report


def _before_commit(db: SQLAlchemy, planned: list[Planned], hooks_ran: bool) -> None:
    """Advance sequences and check deferred constraints on every PostgreSQL bind."""
    for key, engine in db.engines.items():
        if engine.dialect.name != "postgresql":
            continue
        if hooks_ran:  # a hook may have given explicit ids to any table
            tables = list(db.metadatas[key].sorted_tables) if key in db.metadatas else []
        else:
            tables = [p.table for p in planned if p.key == key]
            if not tables:
                continue
        conn = db.session.connection(bind_arguments={"bind": engine})
        advance_sequences(conn, tables)
        check_deferred_constraints(conn)


def commit_binds(db: SQLAlchemy, rolled_back: str = ROLLED_BACK) -> None:
    """Commit the session's work on every bind, one bind after another, in bind order.

    Everything is flushed before the first commit. With one bind this is ``session.commit()``.
    With several, when a bind's ``COMMIT`` fails, the binds not committed yet are rolled back
    and the message names exactly which binds were committed (their data stays) and which were
    rolled back: a rollback is never claimed for a bind that committed.

    :raises InvalidCommand: when a commit fails.
    """
    session = db.session
    keys: list[BindKey] = sorted(db.engines, key=lambda k: (k is not None, k or ""))
    if len(keys) == 1:
        try:
            session.commit()
        except sa.exc.DBAPIError as exc:
            session.rollback()
            engine = db.engines[keys[0]]
            message = f"commit failed on {masked_url(engine)}: {cause(exc)}; {rolled_back}"
            raise InvalidCommand(scrub(message, engine)) from None
        return
    session.flush()
    connections = []
    for key in keys:
        try:
            connections.append((key, session.connection(bind_arguments={"bind": db.engines[key]})))
        except sa.exc.DBAPIError as exc:
            session.rollback()
            engine = db.engines[key]
            message = f"cannot connect to {masked_url(engine)}: {cause(exc)}; {rolled_back}"
            raise InvalidCommand(scrub(message, engine)) from None
    committed: list[BindKey] = []
    for key, conn in connections:
        transaction = conn.get_transaction()
        try:
            if transaction is not None:
                transaction.commit()
        except sa.exc.DBAPIError as exc:
            for other, other_conn in connections:
                if other not in committed:
                    remaining = other_conn.get_transaction()
                    if remaining is not None:
                        remaining.rollback()
            session.close()
            engine = db.engines[key]
            others = [k for k, _ in connections if k not in committed]
            done = ", ".join(f"{bind_label(k)} ({masked_url(db.engines[k])})" for k in committed)
            message = (
                f"commit failed on {bind_label(key)} ({masked_url(engine)}): {cause(exc)}; "
                f"rolled back: {', '.join(bind_label(k) for k in others)}; "
                f"already committed, and keeping the new data: {done}"
            )
            if not committed:
                message = f"commit failed on {bind_label(key)} ({masked_url(engine)}): "
                message += f"{cause(exc)}; {rolled_back}"
            raise InvalidCommand(scrub(message, engine)) from None
        committed.append(key)
    session.close()


def _diagnose(
    db: SQLAlchemy,
    planned: list[Planned],
    failed: _BatchFailed,
    prepare: Callable[[], None] | None,
    rolled_back: str,
) -> InvalidCommand:
    """Replay up to the refused batch, row by row, to find the row at fault; always roll back."""
    try:
        if prepare is not None:
            prepare()
        Loader(db).load(planned, diagnose=failed)
    except FixtureError as exc:
        return InvalidCommand(f"{exc}; {rolled_back}")
    except (_BatchFailed, sa.exc.DBAPIError):
        pass
    finally:
        db.session.rollback()
    where = display_path(failed.planned.fixture.path)
    return InvalidCommand(
        f"{where}: {refusal(failed.error, db, failed.planned.key)}; "  # type: ignore[arg-type]
        f"{rolled_back}"
    )
