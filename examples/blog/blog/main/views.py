from flask import abort, current_app, render_template, request

from ..extensions import db
from ..models import Post
from . import bp


@bp.route("/")
def index() -> str:
    page = request.args.get("page", 1, type=int)
    query = db.select(Post).where(Post.published.is_(True)).order_by(Post.created_at.desc())
    posts = db.paginate(query, page=page, per_page=current_app.config["POSTS_PER_PAGE"])
    return render_template("index.html", posts=posts)


@bp.route("/posts/<slug>")
def post(slug: str) -> str:
    found = db.session.execute(db.select(Post).filter_by(slug=slug)).scalar_one_or_none()
    if found is None or not found.published:
        abort(404)
    return render_template("post.html", post=found)
