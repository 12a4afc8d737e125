"""What differs between database backends: native upserts, sequences, transactional DDL.

Imported by the commands only (it imports SQLAlchemy). Supported backends are SQLite, PostgreSQL
and MySQL/MariaDB; others get plain ``INSERT`` and no sequence handling.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def transactional_ddl(dialect: sa.Dialect) -> bool:
    """``True`` when ``DROP``/``CREATE TABLE`` can be rolled back (PostgreSQL, SQLite).

    MySQL and MariaDB commit the transaction implicitly before and after each DDL statement.
    """
    return dialect.name in ("postgresql", "sqlite")


def begin_for_ddl(conn: sa.Connection) -> None:
    """Make the DDL that follows part of ``conn``'s transaction.

    Python's :mod:`sqlite3` (legacy transaction control, the default up to Python 3.13) only
    opens a transaction before ``INSERT``/``UPDATE``/``DELETE``: DDL would run in autocommit
    mode. An explicit ``BEGIN`` makes it transactional; the driver's ``commit()``/``rollback()``
    end it. Other backends need nothing.
    """
    if conn.dialect.name != "sqlite":
        return
    driver = conn.connection.driver_connection
    if driver is not None and not getattr(driver, "in_transaction", True):
        conn.exec_driver_sql("BEGIN")


def check_deferred_constraints(conn: sa.Connection) -> None:
    """On PostgreSQL, check deferred constraints now (``SET CONSTRAINTS ALL IMMEDIATE``).

    A violation then raises before any bind commits, instead of failing one bind's ``COMMIT``
    after another bind has committed.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")


def upsert(table: sa.Table, dialect_name: str, keys: tuple[str, ...]) -> sa.Executable:
    """An ``INSERT`` of the columns ``keys`` that updates the row whose primary key exists.

    PostgreSQL and SQLite: ``INSERT ... ON CONFLICT (pk) DO UPDATE SET col = excluded.col``;
    MySQL/MariaDB: ``INSERT ... ON DUPLICATE KEY UPDATE col = VALUES(col)``, built with
    SQLAlchemy's dialect constructs (``sqlalchemy.dialects.postgresql.insert`` and so on). Only
    the columns given are set: the others keep their values. The parameters are named by column
    key alone, so no column name can collide with anything internal.

    :param keys: the column keys each row gives; they include every primary key column.
    :raises ValueError: for a backend without a native upsert.
    """
    pk = [c.key for c in table.primary_key.columns]
    given = [k for k in keys if k not in pk]
    if dialect_name in ("postgresql", "sqlite"):
        if dialect_name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt: Any = pg_insert(table)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table)
        index = [table.c[k] for k in pk]
        if not given:
            return stmt.on_conflict_do_nothing(index_elements=index)  # type: ignore[no-any-return]
        return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
            index_elements=index, set_={table.c[k]: stmt.excluded[k] for k in given}
        )
    if dialect_name in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(table)
        updated = given or pk[:1]
        return stmt.on_duplicate_key_update(  # type: ignore[no-any-return]
            {table.c[k].name: stmt.inserted[table.c[k].name] for k in updated}
        )
    raise ValueError(f"no native upsert for {dialect_name}")


def has_upsert(dialect_name: str) -> bool:
    """The backend has a native upsert that :func:`upsert` builds."""
    return dialect_name in ("postgresql", "sqlite", "mysql", "mariadb")


def advance_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """Move each serial/identity sequence past the largest id of its column (PostgreSQL).

    As Django's ``sqlsequencereset``, but never backwards: the sequence of each integer primary
    key column is set to ``max(id)`` when that is beyond its last value, so that the next
    ordinary ``INSERT`` gets a free id. Tables that do not exist are skipped. SQLite
    (``max(rowid) + 1``) and MySQL/MariaDB (InnoDB moves ``AUTO_INCREMENT`` on explicit ids) need
    nothing.
    """
    if conn.dialect.name != "postgresql":
        return
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        name = preparer.format_table(table)
        if conn.execute(sa.select(sa.func.to_regclass(name))).scalar() is None:
            continue
        for column in table.primary_key.columns:
            try:
                if column.type.python_type is not int:
                    continue
            except NotImplementedError:
                continue
            sequence = conn.execute(
                sa.select(sa.func.pg_get_serial_sequence(name, column.name))
            ).scalar()
            if sequence is None:
                continue
            largest = conn.execute(sa.select(sa.func.max(column))).scalar()
            if largest is None or largest < 1:
                continue
            conn.execute(
                sa.text(
                    "SELECT setval(CAST(:seq AS regclass), GREATEST(:largest, "
                    "COALESCE(pg_sequence_last_value(CAST(:seq AS regclass)), 0)))"
                ),
                {"seq": sequence, "largest": int(largest)},
            )


#: Column types whose Python values psycopg writes to COPY as SQLAlchemy would bind them.
_COPY_TYPES = (
    sa.Integer,
    sa.Float,
    sa.Numeric,
    sa.String,
    sa.Boolean,
    sa.Date,
    sa.DateTime,
    sa.Time,
    sa.Uuid,
    sa.LargeBinary,
    sa.Interval,
)


def can_copy(table: sa.Table, conn: sa.Connection) -> bool:
    """Rows of this table can go through psycopg's ``COPY`` on this connection.

    PostgreSQL with psycopg 3, and only plain column types (no ``TypeDecorator``, ``Enum``,
    ``JSON`` or ``ARRAY``, whose values SQLAlchemy processes before binding them).
    """
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return False
    for column in table.columns:
        kind = column.type
        if isinstance(kind, sa.TypeDecorator | sa.Enum | sa.JSON | sa.ARRAY):
            return False
        if not isinstance(kind, _COPY_TYPES):
            return False
    return True


def copy_statement(table: sa.Table, keys: tuple[str, ...]) -> tuple[Any, tuple[Any, ...]] | None:
    """The ``COPY ... FROM STDIN`` of rows giving the columns ``keys``, and the constant values
    of the columns they leave to a scalar client-side default (``default=True``).

    :returns: ``(statement, default values)``, or ``None`` when a column left out has a default
        that SQLAlchemy computes per row (a callable, a SQL expression, a sequence): such rows go
        through ``INSERT``.
    """
    from psycopg import sql

    defaults: list[tuple[str, Any]] = []
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if not getattr(column.default, "is_scalar", False):
            return None
        defaults.append((column.name, column.default.arg))  # type: ignore[attr-defined]
    names = [table.c[k].name for k in keys] + [name for name, _ in defaults]
    target = (
        sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
    )
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name in names)
    )
    return statement, tuple(value for _, value in defaults)


def copy_rows(
    conn: sa.Connection, statement: Any, defaults: tuple[Any, ...], rows: list[dict[str, Any]]
) -> None:
    """Write rows that all have the same keys, in that order, with ``COPY ... FROM STDIN``.

    Runs on ``conn``'s driver connection, inside its transaction (psycopg's ``cursor.copy()``).

    :param statement: from :func:`copy_statement`, with the ``defaults`` it gave.
    :raises sqlalchemy.exc.DBAPIError: when the database refuses the rows (the driver's error,
        wrapped as SQLAlchemy would wrap it).
    """
    stream = CopyStream(conn, tuple(rows[0]) if rows else (), statement, defaults)
    try:
        stream.write(rows)
    except BaseException:
        stream.abort()
        raise
    stream.close()


class CopyStream:
    """One ``COPY ... FROM STDIN`` kept open while batches of rows are written to it.

    psycopg sends the data as it is written, so the server stores rows while the next batch is
    read and converted. :meth:`close` ends the COPY (the server reports a refused row then, or
    earlier); :meth:`abort` cancels it.

    :param conn: the session's connection (its transaction holds the COPY).
    :param keys: the column keys each row gives, in order.
    :param statement: from :func:`copy_statement`, with its ``defaults``.
    """

    def __init__(
        self, conn: sa.Connection, keys: tuple[str, ...], statement: Any, defaults: tuple[Any, ...]
    ) -> None:
        self.keys = keys
        self.defaults = defaults
        self._statement = statement
        driver: Any = conn.connection.driver_connection
        self._driver = driver
        self._error: type[Exception] = conn.dialect.loaded_dbapi.Error
        self._cursor = driver.cursor()
        # a worker thread sends the data: formatting the next rows does not wait for the socket
        from psycopg.copy import QueuedLibpqWriter

        self._context = self._cursor.copy(statement, writer=QueuedLibpqWriter(self._cursor))
        self._copy = self._wrap(self._context.__enter__)

    def _wrap(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except self._error as exc:
            raise sa.exc.DBAPIError.instance(
                self._statement.as_string(self._driver), None, exc, self._error
            ) from exc

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Send rows (their values in :attr:`keys` order)."""
        self.write_values([tuple(row.values()) for row in rows])

    def write_values(self, rows: list[tuple[Any, ...]]) -> None:
        """Send rows given as tuples in :attr:`keys` order."""
        write = self._copy.write_row
        defaults = self.defaults
        try:
            if defaults:
                for row in rows:
                    write(row + defaults)
            else:
                for row in rows:
                    write(row)
        except self._error as exc:
            raise sa.exc.DBAPIError.instance(
                self._statement.as_string(self._driver), None, exc, self._error
            ) from exc

    def close(self) -> None:
        """End the COPY and wait for the server to have stored every row."""
        try:
            self._wrap(self._context.__exit__, None, None, None)
        finally:
            self._cursor.close()

    def abort(self) -> None:
        """Cancel the COPY (the transaction is rolled back afterwards)."""
        try:
            error = RuntimeError("populate stopped")
            self._context.__exit__(RuntimeError, error, None)
        except Exception:
            pass
        finally:
            self._cursor.close()


class StagedUpsert:
    """PostgreSQL upsert of many rows: COPY into a temporary table, then one
    ``INSERT ... SELECT ... ON CONFLICT (pk) DO UPDATE``.

    The temporary table has the columns the rows give (``CREATE TEMPORARY TABLE ... AS SELECT
    ... WITH NO DATA``: their types, no constraint) and is dropped at the end, in the same
    transaction. Only the columns given are set on existing rows.

    :param conn: the session's connection.
    :param table: the target table.
    :param keys: the column keys each row gives, in order; they include the primary key.
    :param name: the temporary table's name (unique in the session).
    :raises ValueError: when a column left out has a default computed per row (a callable, a SQL
        expression): use :func:`upsert` then.
    """

    def __init__(self, conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], name: str):
        from psycopg import sql

        for column in table.columns:
            default = column.default
            if column.key not in keys and default is not None and not default.is_scalar:
                raise ValueError(f"the column {column.name!r} has a default computed per row")
        self.keys = keys
        self.rows = 0
        self._conn = conn
        driver: Any = conn.connection.driver_connection
        self._driver = driver
        target = (
            sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
        )
        stage = sql.Identifier(name)
        names = [table.c[k].name for k in keys]
        pk = [c.name for c in table.primary_key.columns]
        columns = sql.SQL(", ").join(map(sql.Identifier, names))
        self._create = sql.SQL(
            "CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WITH NO DATA"
        ).format(stage, columns, target)
        join = sql.SQL(" AND ").join(
            sql.SQL("t.{c} = s.{c}").format(c=sql.Identifier(c)) for c in pk
        )
        self._count = sql.SQL("SELECT count(*) FROM {} s JOIN {} t ON {}").format(
            stage, target, join
        )
        given = [n for n in names if n not in pk]
        conflict = sql.SQL(", ").join(map(sql.Identifier, pk))
        action: Any
        if given:
            action = sql.SQL("DO UPDATE SET {}").format(
                sql.SQL(", ").join(
                    sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(n)) for n in given
                )
            )
        else:
            action = sql.SQL("DO NOTHING")
        # columns left to a scalar client-side default (default=True) get it on new rows
        defaults = [
            (c.name, c.default.arg)  # type: ignore[attr-defined]
            for c in table.columns
            if c.key not in keys and c.default is not None
        ]
        targets = sql.SQL(", ").join(map(sql.Identifier, names + [n for n, _ in defaults]))
        values = sql.SQL(", ").join(
            [sql.Identifier(n) for n in names] + [sql.Literal(v) for _, v in defaults]
        )
        self._merge = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) {}").format(
            target, targets, values, stage, conflict, action
        )
        self._drop = sql.SQL("DROP TABLE {}").format(stage)
        self._run(self._create)
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(stage, columns)
        self._stream = CopyStream(conn, keys, copy, ())

    def _run(self, statement: Any) -> Any:
        return self._conn.exec_driver_sql(statement.as_string(self._driver))

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Send rows (their values in :attr:`keys` order) to the temporary table."""
        self._stream.write(rows)
        self.rows += len(rows)

    def close(self) -> int:
        """Merge the staged rows into the table.

        :returns: how many of them updated an existing row.
        :raises sqlalchemy.exc.DBAPIError: when the database refuses a row.
        """
        self._stream.close()
        existing = int(self._run(self._count).scalar_one())
        self._run(self._merge)
        self._run(self._drop)
        return existing

    def abort(self) -> None:
        """Cancel the COPY (the transaction, and with it the temporary table, is rolled back)."""
        self._stream.abort()
