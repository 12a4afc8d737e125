"""manage.py of the test app: the default shell and runserver, plus urls and clean."""

import os

from hello import create_app

from flask_script_hub import Manager, Server
from flask_script_hub.extras import Clean, ShowUrls

manager = Manager(create_app)
manager.add_command("urls", ShowUrls())
manager.add_command("clean", Clean())
# a fast reloader for the tests; every other default is Server's own
manager.add_command("runserver", Server(reloader_interval=0.2, reloader_type="stat"))


@manager.shell
def make_context(app):
    return {"greeting": app.config["GREETING"], "cwd": os.getcwd()}


@manager.command
def showenv(name):
    """Print an environment variable as the app factory saw it."""
    print(os.environ.get(name, "<unset>"))


if __name__ == "__main__":
    manager.run()
