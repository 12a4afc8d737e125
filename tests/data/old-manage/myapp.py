"""The app of the Flask-Script 2.0.6 style manage.py: a factory, Flask-SQLAlchemy, a route."""

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), unique=True, nullable=False)


def create_app(config=None):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///app.sqlite")
    app.config["USE_UPPERCASE"] = False
    if config is not None:
        app.config.from_pyfile(os.path.abspath(config))
    db.init_app(app)

    @app.route("/users/<int:user_id>")
    def user(user_id):
        return db.get_or_404(User, user_id).name

    return app
