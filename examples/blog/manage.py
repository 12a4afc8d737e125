#!/usr/bin/env python
"""manage.py of the example blog, written the way Flask-Script projects wrote theirs.

    python manage.py                      # the commands and the installed plugin namespaces
    python manage.py -c testing users list
    python manage.py migrate upgrade      # from the flask-script-hub-migrate plugin
    python manage.py db populate --default-data --sample-data   # from flask-script-hub-db

The ``db`` and ``migrate`` namespaces are not imported here: they come from the installed
distributions flask-script-hub-db and flask-script-hub-migrate, found through their entry points.
"""

from __future__ import annotations

from flask_script_hub import (
    Command,
    InvalidCommand,
    Manager,
    Shell,
    prompt,
    prompt_bool,
    prompt_choices,
    prompt_pass,
)
from flask_script_hub.extras import ShowUrls

import blog.populate
from blog import create_app

manager = Manager(create_app, description="Manage the example blog.")
manager.add_option(
    "-c",
    "--config",
    dest="config_name",
    metavar="NAME",
    required=False,
    help="configuration: development (default), testing or production; else FLASK_CONFIG",
)


def _make_shell_context() -> dict[str, object]:
    from flask import current_app

    from blog.extensions import db
    from blog.models import Post, Role, Tag, User

    return {
        "app": current_app._get_current_object(),
        "db": db,
        "User": User,
        "Role": Role,
        "Post": Post,
        "Tag": Tag,
    }


manager.add_command("shell", Shell(make_context=_make_shell_context))
manager.add_command("urls", ShowUrls())
# sample posts made in code, for `db populate --sample-data` (the db plugin's db_populate hook)
manager.register_plugin(blog.populate, name="blog-sample-data")


# -- users: a sub-manager of the app's own ----------------------------------------------------
users = Manager(help="Add, list and update user accounts", description="User accounts.")


def _get_user(username: str):  # type: ignore[no-untyped-def]
    from blog.extensions import db
    from blog.models import User

    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise InvalidCommand(f"no user named {username!r}")
    return user


def _ask_password() -> str:
    password = prompt_pass("Password")
    if prompt_pass("Repeat password") != password:
        raise InvalidCommand("the passwords do not match")
    if len(password) < 8:
        raise InvalidCommand("the password must have at least 8 characters")
    return password


@users.option("username", help="login name")
@users.option("-e", "--email", help="email address (asked for when missing)")
@users.option("-r", "--role", help="role name (asked for when missing)")
def add(username: str, email: str | None, role: str | None) -> None:
    """Add a user; asks for the email, the role and the password (twice)."""
    from blog.extensions import db
    from blog.models import Role, User

    if db.session.execute(db.select(User).filter_by(username=username)).first():
        raise InvalidCommand(f"a user named {username!r} exists already")
    roles = list(db.session.scalars(db.select(Role).order_by(Role.id)))
    if not roles:
        raise InvalidCommand("no roles: run `manage.py db populate --default-data` first")
    email = email or prompt("Email")
    if role is None:
        role = prompt_choices("Role", [r.name for r in roles], default=roles[-1].name)
    chosen = next((r for r in roles if r.name == role), None)
    if chosen is None:
        names = ", ".join(r.name for r in roles)
        raise InvalidCommand(f"no role named {role!r}; choose from {names}")
    user = User(username=username, email=email, role=chosen)
    user.set_password(_ask_password())
    db.session.add(user)
    db.session.commit()
    print(f"Added {username} ({chosen.name}).")


def list_users() -> None:
    """List the users with their role and number of posts."""
    from blog.extensions import db
    from blog.models import User

    rows = db.session.scalars(db.select(User).order_by(User.username)).all()
    if not rows:
        print("No users.")
        return
    print(f"{'username':<12} {'role':<8} {'posts':>5}  email")
    for user in rows:
        role = user.role.name if user.role else "-"
        print(f"{user.username:<12} {role:<8} {len(user.posts):>5}  {user.email}")


def set_password(username: str) -> None:
    """Set a user's password; asks for it twice."""
    from blog.extensions import db

    user = _get_user(username)
    user.set_password(_ask_password())
    db.session.commit()
    print(f"Password of {username} changed.")


users.add_command("list", Command(list_users))
users.add_command("set-password", Command(set_password))
manager.add_command("users", users)


# -- commands of the app ----------------------------------------------------------------------
@manager.command
def stats(drafts: bool = False) -> None:
    """Count users and published posts (-d/--drafts: count drafts too)."""
    from blog.extensions import db
    from blog.models import Post, User

    count = db.select(db.func.count()).select_from
    print(f"users: {db.session.scalar(count(User))}")
    published = count(Post).where(Post.published.is_(True))
    print(f"published posts: {db.session.scalar(published)}")
    if drafts:
        print(f"drafts: {db.session.scalar(count(Post).where(Post.published.is_(False)))}")


@manager.option("-y", "--yes", action="store_true", help="do not ask for confirmation")
@manager.option("-a", "--author", help="only the drafts of this user")
def purge_drafts(yes: bool, author: str | None) -> None:
    """Delete unpublished posts, after asking (refuses without --yes when not on a terminal)."""
    import sys

    from blog.extensions import db
    from blog.models import Post

    query = db.select(Post).where(Post.published.is_(False))
    if author:
        query = query.where(Post.author_id == _get_user(author).id)
    drafts = db.session.scalars(query).all()
    if not drafts:
        print("No drafts.")
        return
    for post in drafts:
        print(f"  {post.slug} ({post.author.username})")
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidCommand("not a terminal: add --yes to delete the drafts")
        if not prompt_bool(f"Delete these {len(drafts)} drafts", default=False):
            raise InvalidCommand("aborted: nothing deleted")
    for post in drafts:
        db.session.delete(post)
    db.session.commit()
    print(f"Deleted {len(drafts)} drafts.")


if __name__ == "__main__":
    manager.run()
