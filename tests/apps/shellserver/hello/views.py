from flask import Blueprint, current_app

bp = Blueprint("views", __name__)


@bp.route("/")
def index() -> str:
    return "version 1: " + current_app.config["GREETING"]


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
def item(item_id: int) -> str:
    return str(item_id)


@bp.route("/admin/users", methods=["DELETE"])
def delete_users() -> str:
    return "deleted"


@bp.route("/boom")
def boom() -> str:
    raise RuntimeError("boom")
