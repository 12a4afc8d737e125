"""The bodies of the ``db`` commands (imported when a command runs: they need SQLAlchemy).

Each function takes the app (its context is pushed by the manager), prints what it does on
stdout, and returns the exit status; errors are raised as
:class:`~flask_script_hub.InvalidCommand` (one line on stderr, exit 1).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import sqlalchemy as sa

from flask_script_hub import InvalidCommand, prompt_bool

from . import database
from .database import bind_keys, bind_label, check_connection, get_db, masked_url, require_models

if TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    from .populate import Planned


def create(app: Flask, bind: str | None) -> int:
    """``db create``: create missing tables, as ``db.create_all()``; returns 0."""
    db = get_db(app)
    keys = bind_keys(db, bind)
    if not any(database.tables_of(db, key) for key in keys):
        print("no models are defined: nothing to create")
        return 0
    return _create(db, keys)


def _create(db: SQLAlchemy, keys: list[database.BindKey]) -> int:
    for key in keys:
        tables = database.tables_of(db, key)
        if not tables:
            continue
        engine = db.engines[key]
        check_connection(engine)
        try:
            with engine.connect() as conn:
                inspector = sa.inspect(conn)
                missing = [t for t in tables if not inspector.has_table(t.name, schema=t.schema)]
            db.metadatas[key].create_all(bind=engine)
        except sa.exc.DBAPIError as exc:
            raise database.database_error(exc, engine, "create") from None
        where = f"{bind_label(key)} ({masked_url(engine)})"
        if missing:
            print(
                f"created {len(missing)} table(s) in {where}: {', '.join(t.name for t in missing)}"
            )
        else:
            print(f"all {len(tables)} table(s) exist already in {where}: nothing to do")
    return 0


def _confirm(question: str, yes: bool, action: str) -> None:
    """Ask ``question`` unless ``yes``; refuse without a terminal.

    :raises InvalidCommand: when the user says no, or stdin is not a terminal and ``yes`` is false.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidCommand(
            f"refusing to {action} without --yes: stdin is not a terminal; nothing was changed"
        )
    if not prompt_bool(question, default=False):
        raise InvalidCommand("aborted: nothing was changed")


def _show_drop(db: SQLAlchemy, keys: list[database.BindKey]) -> list[database.TableState]:
    states = [s for s in database.table_states(db, keys) if s.exists]
    current = object()
    for state in states:
        if state.key is not current:
            current = state.key
            print(f"{bind_label(state.key)} ({masked_url(db.engines[state.key])}):")
        print(f"  {state.table.name}: {database.describe_rows(state.rows)}")
    return states


def _drop(db: SQLAlchemy, keys: list[database.BindKey]) -> None:
    for key in keys:
        engine = db.engines[key]
        try:
            db.metadatas[key].drop_all(bind=engine)
        except sa.exc.DBAPIError as exc:
            raise database.database_error(exc, engine, "drop") from None


def drop(app: Flask, bind: str | None, yes: bool) -> int:
    """``db drop``: show what goes, confirm, drop (as ``db.drop_all()``); returns 0."""
    db = get_db(app)
    keys = bind_keys(db, bind)
    require_models(db, keys)
    states = _show_drop(db, keys)
    if not states:
        print("no model table exists: nothing to drop")
        return 0
    rows = sum(s.rows or 0 for s in states)
    _confirm(
        f"Drop these {len(states)} table(s) and their {database.describe_rows(rows)}?",
        yes,
        "drop tables",
    )
    _drop(db, keys)
    print(f"dropped {len(states)} table(s)")
    return 0


def recreate(app: Flask, yes: bool, default_data: bool, sample_data: bool) -> int:
    """``db recreate``: drop, create, then populate with the data options; returns 0."""
    from .fixtures import FixtureError
    from .populate import check_files, collect_files, plan

    db = get_db(app)
    keys = bind_keys(db, None)
    require_models(db, keys)
    planned = []
    if default_data or sample_data:
        try:
            planned = plan(db, collect_files(app, default_data, sample_data, []))
            check_files(planned)  # a bad file is found before anything is dropped
        except FixtureError as exc:
            raise InvalidCommand(f"{exc}; nothing was changed") from None
    states = _show_drop(db, keys)
    if states:
        rows = sum(s.rows or 0 for s in states)
        _confirm(
            f"Drop and recreate these {len(states)} table(s)"
            f" and lose their {database.describe_rows(rows)}?",
            yes,
            "drop tables",
        )
        _drop(db, keys)
        print(f"dropped {len(states)} table(s)")
    _create(db, keys)
    if default_data or sample_data:
        _populate(app, db, planned, default_data, sample_data)
    return 0


def populate(app: Flask, default_data: bool, sample_data: bool, paths: list[str]) -> int:
    """``db populate``: fixture files and ``db_populate`` hooks in one transaction; returns 0."""
    from .fixtures import FixtureError
    from .populate import collect_files, plan

    db = get_db(app)
    keys = bind_keys(db, None)
    require_models(db, keys)
    try:
        planned = plan(db, collect_files(app, default_data, sample_data, paths))
    except FixtureError as exc:
        raise InvalidCommand(f"{exc}; nothing was loaded") from None
    for key in sorted({p.key for p in planned} | {None} & set(keys), key=lambda k: k or ""):
        check_connection(db.engines[key])
    _populate(app, db, planned, default_data, sample_data)
    return 0


def _populate(
    app: Flask, db: SQLAlchemy, planned: list[Planned], default_data: bool, sample_data: bool
) -> None:
    from .populate import run

    report = run(app, db, planned, default_data, sample_data)
    if not report.tables and not report.hooks:
        print("nothing to load: no fixture files and no db_populate hook")
        return
    for name, counts in report.tables.items():
        print(f"{name}: {counts.inserted} inserted, {counts.updated} updated")
    for name in report.hooks:
        print(f"db_populate hook: {name}")


def tables(app: Flask, bind: str | None) -> int:
    """``db tables``: each bind's masked URL, tables and row counts; returns 0."""
    from rich.console import Console
    from rich.table import Table

    db = get_db(app)
    keys = bind_keys(db, bind)
    require_models(db, keys)
    console = Console(highlight=False, soft_wrap=True)
    for key in keys:
        engine = db.engines[key]
        states = list(database.table_states(db, [key]))
        console.print(f"{bind_label(key)}: {masked_url(engine)}", markup=False)
        if not states:
            console.print("  (no models)")
            continue
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 2))
        table.add_column("table")
        table.add_column("rows", justify="right")
        for state in states:
            table.add_row(
                state.table.fullname, str(state.rows) if state.exists else "(not created)"
            )
        console.print(table)
    return 0
