"""flask-script-hub-db: the ``db`` namespace of ``manage.py`` for Flask-SQLAlchemy 3 apps.

Installing the distribution mounts ``manage.py db`` through the entry point
``[project.entry-points.flask_script_hub] db = "flask_script_hub_db.plugin"``. This package stays
light to import: SQLAlchemy is imported by the commands, not here.
"""

__version__ = "0.1.0"
