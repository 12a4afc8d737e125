"""Sample data made in code, for ``manage.py db populate --sample-data``.

The db plugin (flask-script-hub-db) calls its ``db_populate`` hook after loading the fixture files,
in the same transaction. ``manage.py`` registers this module with ``manager.register_plugin``.
The models are imported inside the hook, so that registering the module stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_script_hub import hookimpl

if TYPE_CHECKING:
    from flask import Flask

#: (id, author_id, week) of the generated weekly notes.
WEEKLY_NOTES = [(100 + week, 1 + week % 2, week) for week in range(1, 5)]


@hookimpl
def db_populate(app: Flask, db: Any, default_data: bool, sample_data: bool) -> None:
    """With ``--sample-data``, add four weekly notes by alice and bob, tagged "flask".

    ``db.session.merge`` updates the rows that exist already, so populating twice does not
    duplicate them.
    """
    if not sample_data:
        return
    from .models import Post, Tag

    flask_tag = db.session.get(Tag, 1)
    for post_id, author_id, week in WEEKLY_NOTES:
        post = db.session.merge(
            Post(
                id=post_id,
                title=f"Week {week} notes",
                slug=f"week-{week}-notes",
                body=f"What happened on the blog in week {week}.",
                published=True,
                author_id=author_id,
            )
        )
        if flask_tag is not None and flask_tag not in post.tags:
            post.tags.append(flask_tag)
