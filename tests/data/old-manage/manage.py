# A Flask-Script 2.0.6 manage.py, written from the examples of the Flask-Script documentation
# (Python 3 syntax). It must run unchanged with flask-script-hub-compat installed, and with
# "flask_script" replaced by "flask_script_hub" in its import lines.
from flask import current_app, url_for

from flask_script import Command, Manager, Option, Server, Shell, prompt, prompt_bool
from flask_script import commands
from flask_script.commands import InvalidCommand

from myapp import User, create_app, db

manager = Manager(create_app, usage="Manage the example application")
manager.add_option("-c", "--config", dest="config", required=False)


class Hello(Command):
    "prints hello world"

    def run(self):
        print("hello world")


class Greet(Command):
    """Greets someone (its own __init__, without super().__init__())."""

    def __init__(self, default_name="Joe"):
        self.default_name = default_name

    def get_options(self):
        return [Option("-n", "--name", dest="name", default=self.default_name)]

    def run(self, name):
        print("hello", name)


class Count(Command):
    """Counts the users."""

    namespace = "users"

    def run(self):
        print(User.query.count(), "users")


class MyCommand(Command):
    option_list = (Option("--foo", dest="foo"), Option("--bar", dest="bar"))

    def run(self, foo=None, bar=None):
        if foo and bar:
            raise InvalidCommand("Options foo and bar are incompatible")
        print("foo", foo, "bar", bar)


manager.add_command("hello", Hello())
manager.add_command("greet", Greet())
manager.add_command(Count())
manager.add_command("mycommand", MyCommand())
manager.add_command("runserver", Server(port=9000))
manager.add_command("urls", commands.ShowUrls())


def _make_context():
    return dict(app=current_app, db=db, User=User)


manager.add_command("shell", Shell(make_context=_make_context))


@manager.command
def verify(verified=False):
    """
    Checks if verified
    """
    print("VERIFIED?", "YES" if verified else "NO")


@manager.command
def initdb(drop=True):
    """Creates the tables, dropping the old ones first unless told not to. Used by the deploy
    script after every release, so keep it idempotent.

    Second paragraph: not shown in the command list."""
    if drop:
        db.drop_all()
    db.create_all()
    print("initdb drop=%s" % drop)


@manager.command
def backup(b="backup.sql", profile_dir="profiles"):
    "Backs up the database"
    print("backup", b, profile_dir)


@manager.command
def adduser(name):
    "Adds a user"
    db.session.add(User(name=name))
    db.session.commit()
    print("added", name)


@manager.command
def welcome(user_id):
    "Prints the link of the welcome email"
    print("Welcome! Your page:", url_for("user", user_id=int(user_id), _external=True))


@manager.option("-n", "--name", dest="name", default="joe")
@manager.option("-u", "--url", dest="url", default=None)
def hello2(name, url):
    "Says hello, shouting if the configuration says so"
    if current_app.config["USE_UPPERCASE"]:
        name = name.upper()
    if url is None:
        print("hello", name)
    else:
        print("hello", name, "from", url)


@manager.command
def dropdb():
    "Drops all the tables"
    if prompt_bool("Are you sure you want to lose all your data"):
        db.drop_all()
        print("dropped")
    else:
        print("kept")


@manager.command
def whoami():
    "Asks for a name"
    print("you are", prompt("Name", default="nobody"))


database = Manager(usage="Perform database operations")


@database.command
def create(default_data=True, sample_data=False):
    "Creates database tables from sqlalchemy models"
    db.create_all()
    print("created default_data=%s sample_data=%s" % (default_data, sample_data))


manager.add_command("database", database)

if __name__ == "__main__":
    manager.run()
