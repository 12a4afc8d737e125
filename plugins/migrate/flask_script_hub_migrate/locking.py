"""A database-wide lock that serialises concurrent migrations of one database.

Several replicas of an app often start together and each runs ``manage.py migrate upgrade``.
The lock makes them take turns: the first applies the revisions, the others wait, then find the
database at head and do nothing.

* PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on a key derived from the
  version table's name; the wait is bounded with ``lock_timeout``.
* MariaDB / MySQL: ``GET_LOCK`` on a name made of the database and version table names (these
  locks are server-wide).
* Other databases (SQLite): no lock; SQLite's own file locking applies (a concurrent writer
  fails with "database is locked" after the driver's busy timeout; nothing is applied twice).

The lock is a session lock, taken on a connection of the app's engine before Alembic runs; the
connection then goes back to the pool so that Alembic migrates on that same session (no second
connection; see :func:`_session_lock`). It is released when the command ends (the pool is
disposed), or by the server if the process dies.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask_script_hub import InvalidCommand

LOCK_NAME = "flask-script-hub-migrate"


def lock_key(version_table: str) -> int:
    """The PostgreSQL advisory lock key (a signed 64-bit integer) for a version table name."""
    digest = hashlib.sha256(f"{LOCK_NAME}:{version_table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _waiting(what: str, timeout: float | None) -> None:
    bound = "without limit" if timeout is None else f"up to {timeout:g} s"
    print(
        f"Another migration of this database is running ({what}); waiting {bound}...",
        file=sys.stderr,
        flush=True,
    )


def _timed_out(what: str, timeout: float | None) -> InvalidCommand:
    after = "" if timeout is None else f" after {timeout:g} s"
    return InvalidCommand(
        f"timed out{after} waiting for another migration of this database "
        f"({what}); nothing was changed."
    )


@contextmanager
def migration_lock(
    engine: Any, configure_args: dict[str, Any], timeout: float | None
) -> Iterator[None]:
    """Hold the migration lock of ``engine``'s database for the duration of the ``with`` block.

    :param engine: the SQLAlchemy engine of the database being migrated.
    :param configure_args: Alembic ``context.configure`` arguments of the app's ``Migrate``
        (``version_table`` / ``version_table_schema`` make the lock name).
    :param timeout: seconds to wait for another holder; ``None`` waits without limit.
    :raises InvalidCommand: when the wait times out.
    """
    table = configure_args.get("version_table") or "alembic_version"
    schema = configure_args.get("version_table_schema")
    table = f"{schema}.{table}" if schema else table
    dialect = engine.dialect.name
    if dialect == "postgresql":
        with _postgresql_lock(engine, lock_key(table), timeout):
            yield
    elif dialect in ("mysql", "mariadb"):
        with _mysql_lock(engine, table, timeout):
            yield
    else:
        yield


def _keeps_returned_connection(engine: Any) -> bool:
    """Whether a connection given back to ``engine``'s pool now stays open in it."""
    from sqlalchemy.pool import QueuePool

    pool = engine.pool
    return isinstance(pool, QueuePool) and (pool.size() <= 0 or pool.checkedin() < pool.size())


@contextmanager
def _session_lock(engine: Any, acquire: Callable[[Any], None]) -> Iterator[None]:
    """Hold a session-level lock that ``acquire(connection)`` takes, for the ``with`` block.

    When the pool keeps idle connections (a ``QueuePool`` with room), the locked connection goes
    back to the pool, so that Alembic's ``engine.connect()`` reuses it rather than opening a second
    connection; the lock belongs to the database session and stays held. At the end the pool is
    disposed: closing the sessions releases the lock. Otherwise (``NullPool``, full pool) the
    locked connection is kept aside for the duration and closed at the end, which releases it too.
    """
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        acquire(connection)
    except BaseException:
        connection.close()
        raise
    if _keeps_returned_connection(engine):
        connection.close()
        try:
            yield
        finally:
            engine.dispose()
    else:
        try:
            yield
        finally:
            connection.invalidate()  # really close the session, whatever the pool
            connection.close()


@contextmanager
def _postgresql_lock(engine: Any, key: int, timeout: float | None) -> Iterator[None]:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    what = f"PostgreSQL advisory lock {key}"

    def acquire(connection: Any) -> None:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if got:
            return
        if timeout is not None and timeout <= 0:
            raise _timed_out(what, timeout)
        _waiting(what, timeout)
        if timeout is not None:
            # SET takes no bind parameters; the value is an int we computed.
            connection.exec_driver_sql(f"SET lock_timeout = {max(1, round(timeout * 1000))}")
        try:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        except OperationalError as exc:
            if getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03":
                raise _timed_out(what, timeout) from exc
            raise
        finally:
            if timeout is not None:
                connection.exec_driver_sql("RESET lock_timeout")

    with _session_lock(engine, acquire):
        yield


@contextmanager
def _mysql_lock(engine: Any, table: str, timeout: float | None) -> Iterator[None]:
    from sqlalchemy import text

    name = f"{LOCK_NAME}:{engine.url.database}:{table}"[:64]
    what = f"GET_LOCK('{name}')"

    def acquire(connection: Any) -> None:
        query = text("SELECT GET_LOCK(:name, :timeout)")
        if connection.execute(query, {"name": name, "timeout": 0}).scalar() == 1:
            return
        if timeout is not None and timeout <= 0:
            raise _timed_out(what, timeout)
        _waiting(what, timeout)
        # MariaDB treats a negative timeout as "do not wait": a year stands for no limit
        wait = 365 * 24 * 3600 if timeout is None else math.ceil(timeout)
        if connection.execute(query, {"name": name, "timeout": wait}).scalar() != 1:
            raise _timed_out(what, timeout)

    with _session_lock(engine, acquire):
        yield
