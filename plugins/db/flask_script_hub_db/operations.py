"""The bodies of the ``db`` commands (imported when a command runs: they need SQLAlchemy).

Each function takes the app (its context is pushed by the manager), prints what it does on
stdout, and returns the exit status; errors are raised as
:class:`~flask_script_hub.InvalidCommand` (one line on stderr, exit 1).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from flask_script_hub import InvalidCommand, prompt_bool
from flask_script_hub.prompts import stdin_is_terminal

from . import database
from .database import bind_keys, bind_label, check_connection, get_db, masked_url, require_models
from .dialects import begin_for_ddl, transactional_ddl

if TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    from .populate import Planned, Report


def create(app: Flask, bind: str | None) -> int:
    """``db create``: create missing tables, as ``db.create_all()``; returns 0.

    Warns on stderr when a bind has an Alembic version table: migrations own that schema.
    """
    db = get_db(app)
    keys = bind_keys(db, bind)
    if not any(database.tables_of(db, key) for key in keys):
        print("no models are defined: nothing to create")
        return 0
    version = database.version_table(app)
    for key in keys:
        check_connection(db.engines[key])
        revisions = database.version_revisions(db.engines[key], version)
        if revisions is not None:
            print(
                f"warning: {bind_label(key)} has a migration version table ({version.name} at "
                f"revision {', '.join(revisions) or '(none)'}): migrations, not 'db create', own "
                "its schema; use 'migrate upgrade'",
                file=sys.stderr,
            )
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
        _print_created(db, key, tables, missing)
    return 0


def _print_created(
    db: SQLAlchemy, key: database.BindKey, tables: list[sa.Table], missing: list[sa.Table]
) -> None:
    where = f"{bind_label(key)} ({masked_url(db.engines[key])})"
    if missing:
        print(f"created {len(missing)} table(s) in {where}: {', '.join(t.name for t in missing)}")
    else:
        print(f"all {len(tables)} table(s) exist already in {where}: nothing to do")


def _confirm(question: str, yes: bool, action: str) -> None:
    """Ask ``question`` unless ``yes``; refuse without a terminal.

    :raises InvalidCommand: when the user says no, or stdin is not a terminal and ``yes`` is false.
    """
    if yes:
        return
    if not stdin_is_terminal():  # closed (<&-), a file or a pipe
        raise InvalidCommand(
            f"refusing to {action} without --yes: stdin is not a terminal; nothing was changed"
        )
    if not prompt_bool(question, default=False):
        raise InvalidCommand("aborted: nothing was changed")


@dataclass
class DropPlan:
    """What ``drop``/``recreate`` remove: model tables and Alembic version tables, per bind."""

    states: list[database.TableState]
    #: bind key -> the revisions its version table holds
    versions: dict[database.BindKey, list[str]]
    version: sa.Table

    def __bool__(self) -> bool:
        return bool(self.states or self.versions)

    def question(self, verb: str) -> str:
        rows = sum(s.rows or 0 for s in self.states)
        their = "and their" if verb == "Drop" else "and lose their"
        text = f"{verb} these {len(self.states)} table(s) {their} {database.describe_rows(rows)}"
        if self.versions:
            text += f", and the migration version table {self.version.name}"
        return text + "?"


def _show_drop(app: Flask, db: SQLAlchemy, keys: list[database.BindKey]) -> DropPlan:
    """Print each bind's tables, row counts and version table; refuse foreign keys from outside.

    :raises InvalidCommand: when a table that is not a model table has a foreign key to a model
        table (nothing is dropped then).
    """
    version = database.version_table(app)
    for key in keys:
        database.check_outside_foreign_keys(db, key, version)
    states = [s for s in database.table_states(db, keys) if s.exists]
    versions: dict[database.BindKey, list[str]] = {}
    for key in keys:
        revisions = database.version_revisions(db.engines[key], version)
        if revisions is not None:
            versions[key] = revisions
    for key in keys:
        mine = [s for s in states if s.key == key]
        if not mine and key not in versions:
            continue
        print(f"{bind_label(key)} ({masked_url(db.engines[key])}):")
        for state in mine:
            print(f"  {state.table.name}: {database.describe_rows(state.rows)}")
        if key in versions:
            revision = ", ".join(versions[key]) or "(none)"
            print(f"  {version.name}: migration revision {revision}")
    return DropPlan(states, versions, version)


def _drop_bind(db: SQLAlchemy, key: database.BindKey, version: sa.Table, conn: Any) -> None:
    """Drop the model tables and the version table of one bind on ``conn``."""
    db.metadatas[key].drop_all(bind=conn)
    version.drop(bind=conn, checkfirst=True)


def _drop(db: SQLAlchemy, keys: list[database.BindKey], plan: DropPlan) -> None:
    for key in keys:
        engine = db.engines[key]
        try:
            with engine.begin() as conn:
                begin_for_ddl(conn)
                _drop_bind(db, key, plan.version, conn)
        except sa.exc.DBAPIError as exc:
            raise database.database_error(exc, engine, "drop") from None


def _print_dropped(db: SQLAlchemy, plan: DropPlan, recreated: bool = False) -> None:
    if plan.states:
        print(f"dropped {len(plan.states)} table(s)")
    for key in plan.versions:
        if recreated:
            then = (
                "the tables were created from the models, not by migrations: run 'migrate "
                "stamp head' if they match your latest revision"
            )
        else:
            then = "the next 'migrate upgrade' starts from the first revision"
        print(f"dropped the version table {plan.version.name} of {bind_label(key)}: {then}")


def drop(app: Flask, bind: str | None, yes: bool) -> int:
    """``db drop``: show what goes, confirm, drop (as ``db.drop_all()``); returns 0.

    The Alembic version table goes too, so that ``migrate upgrade`` rebuilds the schema.
    """
    db = get_db(app)
    keys = bind_keys(db, bind)
    require_models(db, keys)
    plan = _show_drop(app, db, keys)
    if not plan:
        print("no model table exists: nothing to drop")
        return 0
    _confirm(plan.question("Drop"), yes, "drop tables")
    _drop(db, keys, plan)
    _print_dropped(db, plan)
    return 0


def recreate(app: Flask, yes: bool, default_data: bool, sample_data: bool) -> int:
    """``db recreate``: drop, create, then populate with the data options; returns 0.

    On PostgreSQL and SQLite the drop, the create and the load are one transaction per bind: a
    fixture the database refuses leaves every table as it was. MySQL/MariaDB commit DDL at once:
    there the files are checked first, the tables dropped and created, then the data loaded in
    a transaction, and a refusal says that the tables are empty.
    """
    from .populate import check_files, collect_files, commit_binds, plan, run
    from .records import FixtureError

    db = get_db(app)
    keys = bind_keys(db, None)
    require_models(db, keys)
    planned = []
    loading = default_data or sample_data
    if loading:
        try:
            planned = plan(db, collect_files(app, default_data, sample_data, []))
            check_files(planned)  # a bad file is found before anything is dropped
        except FixtureError as exc:
            raise InvalidCommand(f"{exc}; nothing was changed") from None
    drop_plan = _show_drop(app, db, keys)
    if drop_plan:
        _confirm(drop_plan.question("Drop and recreate"), yes, "drop tables")
    atomic = [k for k in keys if transactional_ddl(db.engines[k].dialect)]
    at_once = [k for k in keys if k not in atomic]
    for key in at_once:
        _drop(db, [key], drop_plan)
        _create_quietly(db, key)

    def prepare() -> None:
        for key in atomic:
            engine = db.engines[key]
            conn = db.session.connection(bind_arguments={"bind": engine})
            begin_for_ddl(conn)
            _drop_bind(db, key, drop_plan.version, conn)
            db.metadatas[key].create_all(bind=conn)

    if at_once:
        flags = " ".join(
            flag
            for flag, on in (("--default-data", default_data), ("--sample-data", sample_data))
            if on
        )
        rolled_back = (
            "the data was not loaded (rolled back), but the tables of "
            + ", ".join(bind_label(k) for k in at_once)
            + " were dropped and created again empty: MariaDB/MySQL commit DROP and CREATE "
            f"TABLE at once; fix the file and run 'db populate {flags}'"
        )
        if atomic:
            rolled_back += " (the other binds were rolled back: no table was dropped there)"
    else:
        rolled_back = "nothing was changed (rolled back: no table was dropped)"
    report = None
    try:
        if loading:
            report = run(app, db, planned, default_data, sample_data, prepare, rolled_back)
        else:
            prepare()
            commit_binds(db, rolled_back)
    except sa.exc.DBAPIError as exc:
        db.session.rollback()
        raise InvalidCommand(f"recreate failed: {database.cause(exc)}; {rolled_back}") from None
    _print_dropped(db, drop_plan, recreated=True)
    for key in keys:
        tables = database.tables_of(db, key)
        if tables:
            _print_created(db, key, tables, tables)
    if report is not None:
        _print_report(report)
    return 0


def _create_quietly(db: SQLAlchemy, key: database.BindKey) -> None:
    engine = db.engines[key]
    try:
        db.metadatas[key].create_all(bind=engine)
    except sa.exc.DBAPIError as exc:
        raise database.database_error(exc, engine, "create") from None


def populate(app: Flask, default_data: bool, sample_data: bool, paths: list[str]) -> int:
    """``db populate``: fixture files and ``db_populate`` hooks in one transaction; returns 0."""
    from .populate import collect_files, plan
    from .records import FixtureError

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

    _print_report(run(app, db, planned, default_data, sample_data))


def _print_report(report: Report) -> None:
    if not report.tables and not report.hooks:
        print("nothing to load: no fixture files and no db_populate hook")
        return
    for name, counts in report.tables.items():
        print(f"{name}: {counts.inserted} inserted, {counts.updated} updated")
    for name in report.hooks:
        print(f"db_populate hook: {name}")


def tables(app: Flask, bind: str | None) -> int:
    """``db tables``: each bind's masked URL, tables and row counts; returns 0."""
    from flask_script_hub.tables import print_table

    db = get_db(app)
    keys = bind_keys(db, bind)
    require_models(db, keys)
    for key in keys:
        engine = db.engines[key]
        states = list(database.table_states(db, [key]))
        print(f"{bind_label(key)}: {masked_url(engine)}")
        if not states:
            print("  (no models)")
            continue
        rows = [
            (state.table.fullname, str(state.rows) if state.exists else "(not created)")
            for state in states
        ]
        print_table(("table", "rows"), rows, justify=("left", "right"))
    return 0
