"""The app's Flask-SQLAlchemy extension, created unbound and initialised in ``create_app``.

(Flask-Migrate's ``Migrate`` is set up in ``create_app`` itself.)
"""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
