from flask import Blueprint, url_for

from .models import User

main = Blueprint("main", __name__)


@main.route("/user/<username>")
def user(username):
    return User.query.filter_by(username=username).first_or_404().username


def confirmation_link(username):
    return url_for("main.user", username=username, _external=True)
