"""Which column a database error concerns, from the driver's structured diagnostics.

* psycopg 3: ``e.diag.column_name`` (NOT NULL), else ``e.diag.constraint_name`` looked up among
  the table's primary key, unique constraints, unique indexes and foreign keys (SQLAlchemy's
  inspector), checked against ``e.diag.table_name``.
* PyMySQL: ``e.args`` is ``(error code, message)``; the code says which part of the message
  names the key or the column (1062 duplicate entry for key, 1452 foreign key, 1048 NULL,
  1406 too long, 1264 out of range), and a key name is looked up like a constraint name.
* sqlite3 gives no structure: its constraint messages (``UNIQUE constraint failed: t.c``) are
  read.

Imported by the populate command on its error path only.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import ColumnCollectionConstraint

#: PyMySQL error codes and the pattern of their message naming a key (``key``) or a column.
_MYSQL_MESSAGES = {
    1062: re.compile(r"for key '(?:[^'.]+\.)?(?P<key>[^']+)'"),
    1452: re.compile(r"CONSTRAINT `(?P<key>[^`]+)` FOREIGN KEY \(`(?P<column>[^`]+)`"),
    1451: re.compile(r"CONSTRAINT `(?P<key>[^`]+)` FOREIGN KEY \(`(?P<column>[^`]+)`"),
    1048: re.compile(r"Column '(?P<column>[^']+)'"),
    1406: re.compile(r"column '(?P<column>[^']+)'"),
    1264: re.compile(r"column '(?P<column>[^']+)'"),
    1366: re.compile(r"column `?(?:[^`]*`\.`)*(?P<column>[^`']+)`? at row"),
}

#: sqlite3's constraint messages: ``UNIQUE constraint failed: users.email``.
_SQLITE_MESSAGE = re.compile(r"constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


def _constraint_columns(engine: sa.Engine, table: sa.Table, name: str) -> list[str]:
    """The columns of the table's constraint or unique index named ``name`` (inspector)."""
    if name == "PRIMARY":  # MySQL's name of every primary key
        return [c.name for c in table.primary_key.columns]
    for constraint in table.constraints:
        if constraint.name == name and isinstance(constraint, ColumnCollectionConstraint):
            return [c.name for c in constraint.columns]
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        pk = inspector.get_pk_constraint(table.name, schema=table.schema)
        if pk.get("name") == name:
            return list(pk["constrained_columns"])
        for unique in inspector.get_unique_constraints(table.name, schema=table.schema):
            if unique.get("name") == name:
                return list(unique["column_names"])
        for index in inspector.get_indexes(table.name, schema=table.schema):
            if index.get("name") == name:
                return [c for c in index["column_names"] if c]
        for fk in inspector.get_foreign_keys(table.name, schema=table.schema):
            if fk.get("name") == name:
                return list(fk["constrained_columns"])
    return []


def _join(columns: list[str], table: sa.Table) -> str | None:
    names = {c.name for c in table.columns}
    found = [c for c in columns if c in names]
    return ", ".join(found) if found else None


def refused_column(exc: sa.exc.DBAPIError, table: sa.Table, engine: sa.Engine) -> str | None:
    """The column (or ``"a, b"`` columns) of ``table`` that a refused row's error names.

    :returns: ``None`` when the driver does not say.
    """
    orig: Any = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        if diag.table_name and diag.table_name != table.name:
            return None
        if diag.column_name:
            return _join([diag.column_name], table)
        if diag.constraint_name:
            return _join(_constraint_columns(engine, table, diag.constraint_name), table)
        return None
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    if engine.dialect.name in ("mysql", "mariadb"):
        if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
            pattern = _MYSQL_MESSAGES.get(args[0])
            match = pattern.search(args[1]) if pattern else None
            if match is None:
                return None
            groups = match.groupdict()
            if groups.get("column"):
                return _join([groups["column"]], table)
            key = groups["key"]
            return _join(_constraint_columns(engine, table, key) or [key], table)
        return None
    if engine.dialect.name == "sqlite":
        match = _SQLITE_MESSAGE.search(str(orig))
        if match is None:
            return None
        columns = [part.split(".")[-1] for part in match.group("columns").split(", ")]
        return _join(columns, table)
    return None
