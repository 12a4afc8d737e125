"""The app's Flask-SQLAlchemy extension, its binds, tables and engines; safe error messages.

Imported by the commands only (it imports SQLAlchemy). Everything works per *bind*: ``None`` is
the default database (``SQLALCHEMY_DATABASE_URI``), other keys are those of ``SQLALCHEMY_BINDS``,
as in Flask-SQLAlchemy 3's ``db.metadatas`` and ``db.engines``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from flask_script_hub import InvalidCommand

if TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

BindKey = str | None


def get_db(app: Flask) -> SQLAlchemy:
    """Return the app's Flask-SQLAlchemy extension, as ``app.extensions["sqlalchemy"]``.

    :raises InvalidCommand: when the app has none.
    """
    db = app.extensions.get("sqlalchemy")
    if db is None:
        raise InvalidCommand(
            f"the app {app.name!r} has no Flask-SQLAlchemy extension: create "
            "db = flask_sqlalchemy.SQLAlchemy() and call db.init_app(app)"
        )
    return db  # type: ignore[no-any-return]


def bind_label(key: BindKey) -> str:
    """``"default"`` for the default database, else ``"bind 'name'"``."""
    return "default database" if key is None else f"bind {key!r}"


def bind_keys(db: SQLAlchemy, bind: str | None = None) -> list[BindKey]:
    """The bind keys a command works on: all of them, or the one ``--bind`` names.

    :param bind: a key of ``SQLALCHEMY_BINDS``, ``"default"`` for the default database, or
        ``None`` for every bind.
    :raises InvalidCommand: when ``bind`` names no configured bind.
    """
    keys: list[BindKey] = list(db.engines)
    keys.sort(key=lambda k: (k is not None, k or ""))
    if bind is None:
        return keys
    key: BindKey = None if bind == "default" and None in keys and "default" not in keys else bind
    if key not in keys:
        names = ", ".join("default" if k is None else k for k in keys)
        raise InvalidCommand(f"no bind named {bind!r} in SQLALCHEMY_BINDS (binds: {names})")
    return [key]


def tables_of(db: SQLAlchemy, key: BindKey) -> list[sa.Table]:
    """The model tables of one bind, in dependency order (``metadata.sorted_tables``)."""
    metadata = db.metadatas.get(key)
    return list(metadata.sorted_tables) if metadata is not None else []


def require_models(db: SQLAlchemy, keys: list[BindKey]) -> None:
    """Raise when the binds have no model tables at all.

    :raises InvalidCommand: naming what to do.
    """
    if not any(tables_of(db, key) for key in keys):
        raise InvalidCommand(
            "no models: no db.Model subclass (or db.Table) is defined for "
            + ", ".join(bind_label(k) for k in keys)
            + "; import the module that defines them in the app factory"
        )


def masked_url(engine: sa.Engine) -> str:
    """The engine's URL with any password replaced by ``***`` (SQLAlchemy's ``hide_password``)."""
    return engine.url.render_as_string(hide_password=True)


def scrub(text: str, engine: sa.Engine) -> str:
    """Remove the engine's password from a message (drivers may echo connection strings)."""
    password = engine.url.password
    if password:
        text = text.replace(str(password), "***")
    return text


def _first_error(orig: BaseException) -> BaseException:
    """The error behind psycopg's ``PipelineAborted`` (which only says the pipeline stopped)."""
    seen = 0
    while type(orig).__name__ == "PipelineAborted" and seen < 10:
        behind = orig.__cause__ or orig.__context__
        if behind is None:
            break
        orig = getattr(behind, "orig", None) or behind
        seen += 1
    return orig


def cause(exc: BaseException) -> str:
    """The first line of the driver's own message for a SQLAlchemy ``DBAPIError``.

    psycopg's "pipeline aborted" is never shown: the error that aborted the pipeline is.
    """
    orig = _first_error(getattr(exc, "orig", None) or exc)
    lines = [
        line.strip()
        for line in str(orig).strip().splitlines()
        if line.strip() and line.strip().lower() != "pipeline aborted"
    ]
    text = lines[0] if lines else type(orig).__name__
    return f"{type(orig).__name__}: {text}"


def check_connection(engine: sa.Engine) -> None:
    """Connect once, turning a failure into one line naming the masked URL and the cause.

    :raises InvalidCommand: when the database cannot be reached (server down, wrong host,
        port, credentials or database name).
    """
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        raise InvalidCommand(
            scrub(f"cannot connect to {masked_url(engine)}: {cause(exc)}", engine)
        ) from None
    except Exception as exc:  # e.g. a driver that fails on its own
        raise InvalidCommand(
            scrub(f"cannot connect to {masked_url(engine)}: {type(exc).__name__}: {exc}", engine)
        ) from None


@dataclass
class TableState:
    """One model table and its state in the database.

    :param key: its bind key.
    :param table: the SQLAlchemy table.
    :param exists: the table exists in the database.
    :param rows: its row count (``None`` when it does not exist).
    """

    key: BindKey
    table: sa.Table
    exists: bool
    rows: int | None


def table_states(db: SQLAlchemy, keys: list[BindKey]) -> Iterator[TableState]:
    """Each model table of the binds with whether it exists and its row count.

    :raises InvalidCommand: when a database cannot be reached.
    """
    for key in keys:
        engine = db.engines[key]
        check_connection(engine)
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in tables_of(db, key):
                if inspector.has_table(table.name, schema=table.schema):
                    count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                    yield TableState(key, table, True, int(count))
                else:
                    yield TableState(key, table, False, None)


def database_error(exc: Exception, engine: sa.Engine, doing: str) -> InvalidCommand:
    """One line for a database error met while ``doing`` something (password removed)."""
    return InvalidCommand(scrub(f"{doing} failed on {masked_url(engine)}: {cause(exc)}", engine))


def describe_rows(count: Any) -> str:
    """``"1 row"`` / ``"3 rows"``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def version_table(app: Flask) -> sa.Table:
    """The Alembic version table: ``alembic_version`` unless the app's Flask-Migrate says.

    Reads ``version_table`` / ``version_table_schema`` from the ``configure_args`` of
    ``app.extensions["migrate"]`` (``Migrate(app, db, version_table=...)``) when present.
    """
    state = app.extensions.get("migrate")
    args = getattr(state, "configure_args", None)
    args = args if isinstance(args, dict) else {}
    name = args.get("version_table") or "alembic_version"
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), primary_key=True),
        schema=args.get("version_table_schema"),
    )


def version_revisions(engine: sa.Engine, version: sa.Table) -> list[str] | None:
    """The revisions in the bind's version table, or ``None`` when it has no such table."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(version.name, schema=version.schema):
            return None
        return [str(r) for r in conn.execute(sa.select(version.c.version_num)).scalars()]


def check_outside_foreign_keys(db: SQLAlchemy, key: BindKey, version: sa.Table) -> None:
    """Refuse when a table that is not a model table has a foreign key to a model table.

    Checked with SQLAlchemy's inspector before anything is dropped: MySQL/MariaDB would refuse
    the ``DROP TABLE`` half-way, after dropping other tables (DDL is not transactional there).

    :raises InvalidCommand: naming the outside table and the model table it refers to.
    """
    models = {(t.schema, t.name) for t in tables_of(db, key)}
    if not models:
        return
    engine = db.engines[key]
    check_connection(engine)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for schema in sorted({schema for schema, _ in models}, key=lambda s: s or ""):
            foreign_keys = inspector.get_multi_foreign_keys(schema=schema)
            for (table_schema, table_name), keys in sorted(
                foreign_keys.items(), key=lambda item: item[0][1]
            ):
                if (table_schema, table_name) in models or table_name == version.name:
                    continue
                for fk in keys:
                    referred = (fk.get("referred_schema") or schema, fk["referred_table"])
                    if referred in models:
                        raise InvalidCommand(
                            f"refusing to drop: the table {table_name!r}, which is not a model "
                            f"table, has a foreign key to {referred[1]!r}; drop it or its "
                            "foreign key first; nothing was dropped"
                        )
