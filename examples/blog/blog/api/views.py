from typing import Any

from ..extensions import db
from ..models import Post, User
from . import bp


@bp.route("/posts")
def posts() -> list[dict[str, Any]]:
    query = db.select(Post).where(Post.published.is_(True)).order_by(Post.id)
    return [
        {
            "id": p.id,
            "title": p.title,
            "slug": p.slug,
            "author": p.author.username,
            "tags": sorted(t.name for t in p.tags),
        }
        for p in db.session.scalars(query)
    ]


@bp.route("/users/<username>")
def user(username: str) -> dict[str, Any]:
    found = db.first_or_404(db.select(User).filter_by(username=username))
    return {
        "username": found.username,
        "role": found.role.name if found.role else None,
        "posts": [p.slug for p in found.posts if p.published],
    }
