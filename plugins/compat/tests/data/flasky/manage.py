#!/usr/bin/env python
# The manage.py of a Flasky-era project (Flask-Script + Flask-Migrate 2): a hand-written .env
# loop, create_app(FLASK_CONFIG), a shell context, MigrateCommand, test/profile/deploy commands.
import os

if os.path.exists(".env"):
    print("Importing environment from .env file")
    for line in open(".env"):
        var = line.strip().split("=")
        if len(var) == 2:
            os.environ[var[0]] = var[1]

from app import create_app, db
from app.main import confirmation_link
from app.models import Role, User
from flask_script import Manager, Shell
from flask_migrate import Migrate, MigrateCommand

app = create_app(os.getenv("FLASK_CONFIG") or "default")
manager = Manager(app)
migrate = Migrate(app, db)


def make_shell_context():
    return dict(app=app, db=db, User=User, Role=Role)


manager.add_command("shell", Shell(make_context=make_shell_context))
manager.add_command("db", MigrateCommand)


@manager.command
def test(coverage=False):
    """Run the unit tests."""
    import unittest

    tests = unittest.TestLoader().discover("tests")
    result = unittest.TextTestRunner(verbosity=2).run(tests)
    if not result.wasSuccessful():
        return 1


@manager.command
def profile(length=25, profile_dir=None):
    """Start the application under the code profiler."""
    print("profiling: length=%s profile_dir=%s" % (length, profile_dir))


@manager.command
def deploy():
    """Run deployment tasks."""
    from flask_migrate import upgrade

    upgrade()
    Role.insert_roles()


@manager.command
def adduser(username):
    """Adds a user and prints the confirmation link of the welcome email."""
    db.session.add(User(username=username, role=Role.query.filter_by(name="User").first()))
    db.session.commit()
    print(confirmation_link(username))


@manager.command
def recreate_db():
    """Recreates a local database. You probably should not use this on
    production.
    """
    db.drop_all()
    db.create_all()
    db.session.commit()


if __name__ == "__main__":
    manager.run()
