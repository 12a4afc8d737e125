"""The ``db`` plugin: its sub-manager, its commands, and its hook implementations.

Registered by the entry point ``db = "flask_script_hub_db.plugin"`` (group ``flask_script_hub``),
or in code with ``manager.register_plugin(flask_script_hub_db.plugin, name="db")``. This module is
imported when ``manage.py db ...`` runs and must stay cheap: Flask-SQLAlchemy and SQLAlchemy are
imported by ``flask_script_hub_db.operations`` inside each command.

The commands make real the database sub-manager sketched in Flask-Script 2.0's "Note to extension
developers" (``drop``, ``create``, ``recreate``, ``populate``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_script_hub import Command, Manager, Option, hookimpl

if TYPE_CHECKING:
    import pluggy
    from flask import Flask

PRIMARY_KEY_POLICY = (
    "A row whose primary key already exists is updated with the file's values (columns the file "
    "does not give keep theirs), so running populate twice does not duplicate rows."
)

_BIND = Option(
    "-b",
    "--bind",
    metavar="NAME",
    help="only this bind of SQLALCHEMY_BINDS ('default' for SQLALCHEMY_DATABASE_URI); default: all",
)
_YES = Option("-y", "--yes", action="store_true", help="do not ask for confirmation")
_DEFAULT = Option(
    "--default-data",
    action="store_true",
    help="load <DB_FIXTURES_FOLDER>/default/ and run db_populate hooks with default_data=True",
)
_SAMPLE = Option(
    "--sample-data",
    action="store_true",
    help="load <DB_FIXTURES_FOLDER>/sample/ and run db_populate hooks with sample_data=True",
)


class CreateCommand(Command):
    """Create the tables of every model (existing tables are left untouched).

    As Flask-SQLAlchemy's ``db.create_all()``: only missing tables are created; existing ones
    and their rows are not changed. Exits 0 with a note when the app defines no models.
    """

    option_list = (_BIND,)

    def run(self, app: Flask, bind: str | None = None) -> int:
        from .operations import create

        return create(app, bind)


class DropCommand(Command):
    """Drop the tables of every model, after showing each table and its row count.

    As Flask-SQLAlchemy's ``db.drop_all()``. Asks first (default No); without --yes and with
    stdin not a terminal it refuses (exit 1) and drops nothing.
    """

    option_list = (_BIND, _YES)

    def run(self, app: Flask, bind: str | None = None, yes: bool = False) -> int:
        from .operations import drop

        return drop(app, bind, yes)


class RecreateCommand(Command):
    """Drop then create the tables, then optionally populate them.

    Same as ``db drop`` then ``db create`` (then ``db populate`` with the data options). The
    fixture files are read and checked before anything is dropped. Asks first (default No);
    without --yes and with stdin not a terminal it refuses (exit 1) and changes nothing.
    """

    option_list = (_YES, _DEFAULT, _SAMPLE)

    def run(
        self, app: Flask, yes: bool = False, default_data: bool = False, sample_data: bool = False
    ) -> int:
        from .operations import recreate

        return recreate(app, yes, default_data, sample_data)


class PopulateCommand(Command):
    __doc__ = f"""Load data from fixture files and db_populate hooks, in one transaction.

    Files: PATH arguments (files or folders), <DB_FIXTURES_FOLDER>/default/ with --default-data,
    <DB_FIXTURES_FOLDER>/sample/ with --sample-data (DB_FIXTURES_FOLDER defaults to "fixtures"
    beside the app). A file is named after its table: users.csv (a header row, then rows; an
    empty cell is NULL), users.jsonl (one JSON object per line, streamed: use it for big data)
    or users.json (an array of objects). Tables load in dependency order. Then each db_populate
    hook adds its objects to db.session.

    {PRIMARY_KEY_POLICY} A bad row rolls everything back and names its file, line and column.
    """

    option_list = (
        _DEFAULT,
        _SAMPLE,
        Option("paths", nargs="*", metavar="PATH", help="fixture files or folders to load"),
    )

    def run(
        self,
        app: Flask,
        default_data: bool = False,
        sample_data: bool = False,
        paths: list[str] | None = None,
    ) -> int:
        from .operations import populate

        return populate(app, default_data, sample_data, list(paths or ()))


class TablesCommand(Command):
    """Show each bind's database URL (password masked), its tables and their row counts."""

    option_list = (_BIND,)

    def run(self, app: Flask, bind: str | None = None) -> int:
        from .operations import tables

        return tables(app, bind)


def make_manager() -> Manager:
    """A new ``db`` sub-manager with its commands."""
    manager = Manager(
        help="Perform database operations (Flask-SQLAlchemy)",
        description="Perform database operations (Flask-SQLAlchemy)",
        with_default_commands=False,
    )
    manager.add_command("create", CreateCommand())
    manager.add_command("drop", DropCommand())
    manager.add_command("recreate", RecreateCommand())
    manager.add_command("populate", PopulateCommand())
    manager.add_command("tables", TablesCommand())
    info = TablesCommand()
    info.__doc__ = "Same as 'db tables'. " + (TablesCommand.__doc__ or "")
    manager.add_command("info", info)
    return manager


@hookimpl
def namespace_command(name: str) -> Manager:
    """The ``db`` sub-manager, mounted under the entry point's name."""
    return make_manager()


@hookimpl
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add the ``db_populate`` spec (:mod:`flask_script_hub_db.hookspecs`) at registration."""
    from . import hookspecs

    plugin_manager.add_hookspecs(hookspecs)


@hookimpl
def shell_context(app: Flask) -> dict[str, Any]:
    """``db`` and every model class, for ``manage.py shell`` (nothing without Flask-SQLAlchemy)."""
    db = app.extensions.get("sqlalchemy")
    if db is None:
        return {}
    context: dict[str, Any] = {"db": db}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        context.setdefault(cls.__name__, cls)
    return context
