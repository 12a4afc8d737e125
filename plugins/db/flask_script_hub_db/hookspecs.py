"""Hook specifications the ``db`` plugin adds to flask-script-hub. Nothing else.

The plugin's ``add_hookspecs`` hook adds them when the ``db`` plugin is registered (before any
command runs), so that pluggy checks every implementation against them at its registration; an app
implements them in an object or module it registers with ``manager.register_plugin(...)``, another
plugin in the module its entry point names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Flask

hookspec = pluggy.HookspecMarker("flask_script_hub")


@hookspec
def db_populate(app: Flask, db: Any, default_data: bool, sample_data: bool) -> None:
    """Add rows for ``manage.py db populate`` to ``db.session`` (run after the fixture files).

    :param app: the application (its app context is pushed).
    :param db: the app's ``flask_sqlalchemy.SQLAlchemy`` extension.
    :param default_data: ``--default-data`` was given.
    :param sample_data: ``--sample-data`` was given.

    Everything added shares the fixtures' transaction: an exception, or a row the database
    refuses when the session is flushed, rolls the whole populate back. Use ``db.session.merge``
    (or look rows up first) so that running populate twice does not duplicate rows.
    """
