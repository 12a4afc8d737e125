"""A small blog: the example app of flask-script-hub.

``create_app`` is an application factory as Flask developers write them: the configuration class is
chosen by name (argument, else the ``FLASK_CONFIG`` environment variable, else "development").

Flask, the extensions and the models are imported inside the factory, so that importing
``create_app`` is cheap: ``python manage.py`` and ``--help`` list the commands without loading
SQLAlchemy or Alembic (the app is only created when a command needs it).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .config import config

if TYPE_CHECKING:
    from flask import Flask


def create_app(config_name: str | None = None) -> Flask:
    """Create and configure the blog app.

    :param config_name: "development", "testing", "production" or "default"; ``None`` reads
        ``FLASK_CONFIG``, else "development".
    :raises ValueError: for an unknown configuration name, or production without DATABASE_URL.
    """
    from flask import Flask
    from flask_migrate import Migrate

    from .extensions import db

    name = config_name or os.environ.get("FLASK_CONFIG") or "default"
    if name not in config:
        raise ValueError(f"unknown configuration {name!r}; choose from {', '.join(sorted(config))}")
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config[name])
    app.config["CONFIG_NAME"] = name
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        if name == "production":
            raise ValueError("the production configuration needs DATABASE_URL")
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, app.config["SQLITE_FILE"])
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"

    db.init_app(app)
    # render_as_batch lets Alembic alter SQLite tables (it copies them), as Flask-Migrate documents.
    Migrate(app, db, render_as_batch=True)

    from . import models
    from .api import bp as api_bp
    from .main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(api_bp, url_prefix="/api")

    @app.shell_context_processor
    def _shell_context() -> dict[str, object]:
        return {"db": db, "User": models.User, "Role": models.Role, "Post": models.Post}

    return app
