"""Public pages: the list of published posts and one post."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from . import views  # noqa: E402, F401
