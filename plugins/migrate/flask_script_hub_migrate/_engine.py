"""Run Flask-Migrate's Python API for the commands: app setup, errors, transactions, locking.

Imported only when a migration command runs; it may import Flask, Flask-Migrate, Alembic and
SQLAlchemy at call time.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask_script_hub.errors import InvalidCommand, first_line, one_line

from ._compat import command_function, migrate_state
from .locking import migration_lock

if TYPE_CHECKING:
    from flask import Flask

_STDOUT_FLAG = "_flask_script_hub_stdout"


def get_migrate_state(app: Flask) -> Any:
    """Return the app's Flask-Migrate state (``app.extensions["migrate"]``), creating it if needed.

    When the app has no :class:`flask_migrate.Migrate`, one is created for the app's
    Flask-SQLAlchemy instance with the default directory ``migrations`` and a note says so on
    stderr.

    :param app: the Flask app the command runs for.
    :returns: an object with Flask-Migrate's ``_MigrateConfig`` attributes (``.migrate``,
        ``.db``, ``.configure_args``; see :func:`._compat.migrate_state`).
    :raises InvalidCommand: when the app has neither Flask-Migrate nor Flask-SQLAlchemy.
    """
    if app.extensions.get("migrate") is None:
        db = app.extensions.get("sqlalchemy")
        if db is None:
            raise InvalidCommand(
                "The app has no Flask-SQLAlchemy extension to migrate: create "
                "`db = SQLAlchemy(app)` and `Migrate(app, db)`."
            )
        from flask_migrate import Migrate

        Migrate(app, db)
        print(
            "Note: the app has no Flask-Migrate `Migrate`; using Migrate(app, db) with "
            "directory 'migrations' for its Flask-SQLAlchemy instance.",
            file=sys.stderr,
        )
    state = migrate_state(app)
    migrate = state.migrate
    if not getattr(migrate, _STDOUT_FLAG, False):
        # Alembic's Config binds sys.stdout when alembic.config is first imported; print to
        # the stdout current at each call instead (in-process runners replace it).
        migrate.configure(_use_current_stdout)
        setattr(migrate, _STDOUT_FLAG, True)
    return state


def _use_current_stdout(config: Any) -> Any:
    config.stdout = sys.stdout
    return config


def describe_error(exc: BaseException) -> str:
    """One line naming the cause of ``exc`` (the DBAPI error for SQLAlchemy errors)."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        return one_line(orig)
    return one_line(exc)


def failing_revision(exc: BaseException) -> tuple[str, str, str] | None:
    """Find the revision script whose ``upgrade()``/``downgrade()`` raised ``exc``.

    Walks the traceback for the innermost frame of a function ``upgrade``/``downgrade`` in a
    module that defines ``revision`` and ``down_revision`` (an Alembic revision file).

    :returns: ``(revision id, message, "upgrade" | "downgrade")`` or ``None``.
    """
    found = None
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        namespace = frame.f_globals
        if (
            frame.f_code.co_name in ("upgrade", "downgrade")
            and "revision" in namespace
            and "down_revision" in namespace
        ):
            doc = first_line(namespace.get("__doc__") or "")
            found = (str(namespace["revision"]), doc, frame.f_code.co_name)
        tb = tb.tb_next
    return found


def _message(exc: Exception) -> str:
    """The one-line message of an error: Alembic's and Flask's own, else the cause and type."""
    from alembic.util import CommandError

    if isinstance(exc, (CommandError, RuntimeError)):
        return first_line(str(exc)) or type(exc).__name__
    return describe_error(exc)


def list_templates() -> None:
    """Print the repository templates, as ``flask db list-templates`` (Flask-Migrate 4) does.

    Flask-Migrate's ``list_templates()`` builds an Alembic ``Config()`` whose output stream is the
    ``sys.stdout`` of the moment Alembic was first imported; this passes the current one, so that
    in-process runners (which replace ``sys.stdout``) see the output too.
    """
    from flask_migrate import Config

    config = Config(stdout=sys.stdout)
    directory = config.get_template_directory()
    config.print_stdout("Available templates:\n")
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name, "README")) as readme:
            synopsis = next(readme).strip()
        config.print_stdout("%s - %s", name, synopsis)


def call(app: Flask, name: str, **kwargs: Any) -> None:
    """Call ``flask_migrate.<name>(**kwargs)`` for ``app`` (in its app context).

    :raises InvalidCommand: with one line for Alembic's ``CommandError`` and any other failure;
        a database that cannot be reached is named by its URL, password masked.
    """
    if name == "list_templates":
        list_templates()
        return
    get_migrate_state(app)
    function = command_function(name)
    try:
        function(**kwargs)
    except InvalidCommand:
        raise
    except Exception as exc:
        raise InvalidCommand(connection_error(app, exc) or _message(exc)) from exc


def connection_error(app: Flask, exc: BaseException) -> str | None:
    """One line for a database that cannot be used at all, naming it by its masked URL.

    An unreachable server, a refused login (wrong password) or a missing driver module.

    :returns: the message, or ``None`` when ``exc`` is another kind of error.
    """
    from sqlalchemy.exc import InterfaceError, NoSuchModuleError, OperationalError

    if not isinstance(exc, (OperationalError, InterfaceError, NoSuchModuleError, ImportError)):
        return None
    if isinstance(exc, OperationalError) and failing_revision(exc) is not None:
        return None  # a revision's own statement failed: reported with the revision
    try:
        where = database_label(app)
    except Exception:
        where = "the database"
    return f"cannot use {where}: {describe_error(exc)}"


def revision_ids(app: Flask, directory: str | None) -> list[str]:
    """The revision ids of the app's migration scripts (for completion), newest first."""
    from alembic.script import ScriptDirectory

    state = get_migrate_state(app)
    config = state.migrate.get_config(directory)
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


def database_label(app: Flask) -> str:
    """The app's default database URL with the password masked, for messages."""
    state = get_migrate_state(app)
    return str(state.db.engine.url.render_as_string(hide_password=True))


def current_heads(engine: Any, configure_args: dict[str, Any]) -> tuple[str, ...]:
    """Read the revisions in the version table through Alembic (``()`` when none)."""
    from alembic.runtime.migration import MigrationContext

    opts = {
        key: configure_args[key]
        for key in ("version_table", "version_table_schema")
        if configure_args.get(key)
    }
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection, opts=opts).get_current_heads())


def apply(app: Flask, name: str, *, lock_timeout: float | None, **kwargs: Any) -> None:
    """Run ``upgrade``, ``downgrade`` or ``stamp`` of Flask-Migrate safely.

    ``kwargs`` are the arguments of Flask-Migrate's function (those of its ``flask db``
    command: ``directory``, ``revision``, ``sql``, ``tag``, ...).

    Online (without ``sql``): takes the migration lock of the database (:mod:`.locking`); runs
    the whole command in one transaction where DDL is transactional (Alembic's default on
    PostgreSQL, and on SQLite through :func:`_sqlite_transactional_ddl`), so that a failure leaves
    the database as it was, unless the app's ``Migrate(transaction_per_migration=True)`` asks
    for one transaction per revision; reports a failure as one line naming the revision, the
    cause and the revision the database is at. With ``sql`` nothing connects to the database.
    Ctrl-C on MariaDB/MySQL (where DDL is not transactional) warns that the revision being applied
    may have left partial changes, then ends the command as Ctrl-C does.

    :raises InvalidCommand: on any failure (exit status 1).
    """
    from alembic.util import CommandError

    state = get_migrate_state(app)
    function = command_function(name)
    if kwargs.get("sql"):
        try:
            function(**kwargs)
        except Exception as exc:
            raise InvalidCommand(_message(exc)) from exc
        return

    engine = state.db.engine
    configure_args: dict[str, Any] = state.configure_args
    try:
        with (
            migration_lock(engine, configure_args, lock_timeout),
            _sqlite_transactional_ddl(engine, configure_args),
        ):
            try:
                function(**kwargs)
            except CommandError as exc:
                raise InvalidCommand(_message(exc)) from exc
            except KeyboardInterrupt as exc:
                if engine.dialect.name in ("mysql", "mariadb"):
                    _warn_interrupted(name, exc, engine, configure_args)
                raise
            except Exception as exc:
                message = connection_error(app, exc) or _failure_message(
                    name, exc, engine, configure_args
                )
                raise InvalidCommand(message) from exc
    except InvalidCommand:
        raise
    except Exception as exc:  # taking the lock: the database cannot be reached
        raise InvalidCommand(connection_error(app, exc) or _message(exc)) from exc


def _warn_interrupted(
    name: str, exc: BaseException, engine: Any, configure_args: dict[str, Any]
) -> None:
    where = failing_revision(exc)
    revision = f"revision {where[0]} ({where[1]})" if where else "the revision being applied"
    try:
        heads = current_heads(engine, configure_args)
        at = f"; the database is at revision {', '.join(heads) or '<base>'}"
    except Exception:
        at = ""
    print(
        f"warning: {name} interrupted; MariaDB/MySQL commit each DDL statement, so "
        f"{revision} may have left partial changes: check the schema{at}",
        file=sys.stderr,
    )


def _failure_message(name: str, exc: Exception, engine: Any, configure_args: dict[str, Any]) -> str:
    where = failing_revision(exc)
    if where is None:
        message = f"{name} failed: {describe_error(exc)}"
    else:
        rev, doc, step = where
        label = f"{rev} ({doc})" if doc else rev
        message = f"revision {label} failed in {step}(): {describe_error(exc)}"
    try:
        heads = current_heads(engine, configure_args)
        at = ", ".join(heads) if heads else "<base> (no revision)"
        message += f"; the database is at revision {at}"
    except Exception as read_error:  # the database is unreachable: say so, keep the cause
        message += f"; its revision could not be read ({describe_error(read_error)})"
    if engine.dialect.name in ("mysql", "mariadb"):
        message += (
            "; MariaDB/MySQL commit each DDL statement, so changes the failing revision made "
            "before the error are NOT rolled back: check the schema"
        )
    return message


@contextmanager
def _sqlite_transactional_ddl(engine: Any, configure_args: dict[str, Any]) -> Iterator[None]:
    """On SQLite, run DDL inside transactions, as on PostgreSQL.

    Python's sqlite3 driver opens transactions only before DML, so ``CREATE``/``DROP``/``ALTER``
    would commit one by one, and Alembic assumes SQLite has no transactional DDL. For the
    duration of the command this makes the driver emit ``BEGIN`` (SQLAlchemy's documented
    pysqlite recipe, on the app's engine, whose connections so changed are discarded afterwards)
    and tells Alembic ``transactional_ddl=True`` (unless the app's ``Migrate`` sets it). Does
    nothing on other databases, with other drivers, or for an in-memory database (which would
    not survive the ``dispose()``).

    :param engine: the app's SQLAlchemy engine.
    :param configure_args: the ``context.configure`` arguments of the app's ``Migrate``.
    """
    in_memory = engine.url.database in (None, "", ":memory:")
    if engine.dialect.name != "sqlite" or engine.dialect.driver != "pysqlite" or in_memory:
        yield
        return
    from sqlalchemy import event

    def begin(connection: Any) -> None:
        connection.connection.dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN")

    added_option = "transactional_ddl" not in configure_args
    if added_option:
        configure_args["transactional_ddl"] = True
    event.listen(engine, "begin", begin)
    try:
        yield
    finally:
        event.remove(engine, "begin", begin)
        engine.dispose()
        if added_option:
            configure_args.pop("transactional_ddl", None)
