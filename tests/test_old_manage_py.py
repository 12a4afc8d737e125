"""Old Flask-Script 2.0.6 manage.py files run as they did: each behaviour through a real manage.py.

The whole list at once: ``tests/data/old-manage/manage.py``, written from the Flask-Script docs'
examples, runs with its import line changed (flask-script-hub-compat's tests run it unchanged).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from argparse_layout import metavar_once
from old_manage_scenario import OldProject, check_old_manage_py, copy_project

from conftest import clean_env


def test_flask_script_206_manage_py_runs_with_the_import_line_changed(tmp_path):
    check_old_manage_py(OldProject(copy_project(tmp_path / "project", import_line_changed=True)))


# -- commands -----------------------------------------------------------------------------------
def test_command_subclass_without_super_init_and_namespace_attribute(write, manage):
    write("app.py", "from flask import Flask\napp = Flask('old')\n")
    write(
        "manage.py",
        """
        from flask_script_hub import Command, Manager, Option

        from app import app


        class Hello(Command):
            def __init__(self, default_name="Joe"):
                self.default_name = default_name  # no super().__init__(), as in the docs

            def get_options(self):
                return [Option("-n", "--name", dest="name", default=self.default_name)]

            def run(self, name):
                print("hello", name)


        class Status(Command):
            "Shows the status"
            namespace = "admin"

            def __init__(self):
                pass

            def run(self):
                print("all good")


        manager = Manager(app)
        manager.add_command("hello", Hello("Fred"))
        manager.add_command(Status)
        manager.add_command("again", Status(), namespace="admin")
        hello = Hello()
        hello.add_option(Option("--loud", action="store_true"))

        if __name__ == "__main__":
            manager.run()
        """,
    )
    assert manage("hello").stdout == "hello Fred\n"
    assert manage("hello", "-n", "Ann").stdout == "hello Ann\n"
    assert manage("admin", "status").stdout == "all good\n"
    assert manage("admin", "again").stdout == "all good\n"
    assert "Shows the status" in manage("admin").stdout


def test_signature_flags_as_flask_script(write, manage):
    write("app.py", "from flask import Flask\napp = Flask('old')\n")
    write(
        "manage.py",
        """
        from flask_script_hub import Manager

        from app import app

        manager = Manager(app)


        @manager.command
        def initdb(drop=True, b=1, profile_dir="profiles"):
            "Initialises the database"
            print(drop, b, profile_dir)

        if __name__ == "__main__":
            manager.run()
        """,
    )
    assert manage("initdb").stdout == "True 1 profiles\n"
    assert manage("initdb", "-d").stdout == "True 1 profiles\n"
    assert manage("initdb", "--drop").stdout == "True 1 profiles\n"
    assert manage("initdb", "--no-drop").stdout == "False 1 profiles\n"
    assert manage("initdb", "-b", "2", "--profile_dir", "x").stdout == "True 2 x\n"
    assert manage("initdb", "--b", "3", "--profile-dir", "y", "-p", "z").stdout == "True 3 z\n"
    help_text = metavar_once(manage("initdb", "-?").stdout)
    assert "-d, --drop, --no-drop" in help_text
    assert "-b, --b B" in help_text
    assert "-p, --profile_dir, --profile-dir PROFILE_DIR" in help_text


def test_usage_and_set_defaults(write, manage):
    write("app.py", "from flask import Flask\napp = Flask('old')\n")
    write(
        "manage.py",
        """
        from flask_script_hub import Manager

        from app import app

        manager = Manager(app, usage="Run the old app's tasks")
        database = Manager(usage="Perform database operations")


        @database.command
        def create():
            "Creates database tables from sqlalchemy models"
            print("created")


        manager.add_command("database", database)
        manager.set_defaults()
        manager.set_defaults()  # once only, as Flask-Script 2.0.6
        database.set_defaults()  # a sub-manager gets none
        print(manager.command_names(), database.command_names())

        if __name__ == "__main__":
            manager.run()
        """,
    )
    listing = manage(env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}).stdout.splitlines()
    assert listing[0] == "['database', 'plugins', 'runserver', 'shell'] ['create']"
    assert listing[1] == "usage: Run the old app's tasks"
    sub = manage("database", "-?").stdout.splitlines()
    assert sub[1] == "usage: Perform database operations"
    bad = manage("database", "nope")
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[0] == "usage: Perform database operations"


def test_first_paragraph_of_a_docstring_in_the_listing(write, manage):
    write("app.py", "from flask import Flask\napp = Flask('old')\n")
    write(
        "manage.py",
        '''
        from flask_script_hub import Manager

        from app import app

        manager = Manager(app, with_default_commands=False)


        @manager.command
        def recreate_db():
            """Recreates a local database. You probably should not use this on
            production.

            Drops every table first."""


        if __name__ == "__main__":
            manager.run()
        ''',
    )
    listing = " ".join(manage(env={"COLUMNS": "60"}).stdout.split())
    assert (
        "recreate_db Recreates a local database. You probably should not use this on "
        "production." in listing
    )
    assert "Drops every table" not in listing


# -- the request context ------------------------------------------------------------------------
URL_APP = """
from flask import Flask

def create_app():
    app = Flask("mailer")

    @app.route("/confirm/<token>")
    def confirm(token):
        return token

    return app
"""


@pytest.mark.parametrize("request_context", [True, False])
def test_commands_run_in_a_test_request_context(write, manage, request_context):
    write("app.py", URL_APP)
    write(
        "manage.py",
        f"""
        from flask import has_request_context, render_template_string, url_for

        from flask_script_hub import Manager

        from app import create_app

        manager = Manager(create_app, request_context={request_context})


        @manager.command
        def send_mail():
            "Prints the body of a confirmation email"
            print(has_request_context())
            print(render_template_string(
                "Confirm: {{{{ url_for('confirm', token='abc', _external=True) }}}}"
            ))

        if __name__ == "__main__":
            manager.run()
        """,
    )
    result = manage("send_mail")
    if request_context:
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == "True\nConfirm: http://localhost/confirm/abc\n"
        configured = manage("send_mail", env={"FLASK_SERVER_NAME": "example.org"})
        assert configured.returncode == 0
    else:
        # the plain app context, as `flask` commands: url_for needs SERVER_NAME
        assert result.returncode == 1 and "SERVER_NAME" in result.stderr


# -- usage errors -------------------------------------------------------------------------------
FACTORY_MANAGE = """
from flask_script_hub import Manager

from app import create_app

manager = Manager(create_app)
manager.add_option("-c", "--config", dest="config", required=False)


@manager.command
def hello(name="joe"):
    "Says hello"
    print("hello", name)

if __name__ == "__main__":
    manager.run()
"""


def test_h_and_manager_options_after_the_command(write, manage):
    write(
        "app.py", "from flask import Flask\n\ndef create_app(config=None):\n    return Flask('x')\n"
    )
    write("manage.py", FACTORY_MANAGE)
    result = manage("-h")
    usage_error_run(result, "unrecognized arguments: -h (help is -? or --help)")
    late = manage("hello", "-c", "prod.cfg")
    usage_error_run(
        late,
        "unrecognized arguments: -c prod.cfg (-c is an option of 'manage.py': manager options "
        "go before the command, as in 'manage.py -c ... COMMAND')",
    )
    late_long = manage("hello", "--config=prod.cfg")
    usage_error_run(late_long, "--config is an option of 'manage.py'")
    assert manage("-c", "prod.cfg", "hello", "-n", "ann").stdout == "hello ann\n"


def usage_error_run(result, fragment):
    assert (result.returncode, result.stdout) == (2, ""), result
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr.splitlines()[-1], result.stderr


# -- prompts ------------------------------------------------------------------------------------
def test_prompts_with_a_minimal_stdout_and_a_closed_stdin(write, manage, project):
    write("app.py", "from flask import Flask\napp = Flask('old')\n")
    write(
        "manage.py",
        """
        import sys

        from flask_script_hub import Manager, prompt, prompt_bool, prompt_choices

        from app import app

        manager = Manager(app)


        class Minimal:
            "A stream with write() only, as some loggers and old test tools replace stdout"

            def __init__(self, stream):
                self.stream = stream

            def write(self, text):
                self.stream.write(text)
                self.stream.flush()


        @manager.command
        def ask():
            "Asks with a minimal stdout"
            sys.stdout = Minimal(sys.__stdout__)
            try:
                name = prompt("Name", default="nobody")
                sure = prompt_bool("Sure")
                color = prompt_choices("Color", ["red", "blue"], default="red")
                print("got", name, sure, color)
            finally:
                sys.stdout = sys.__stdout__


        @manager.command
        def need():
            "Asks without a default"
            print("got", prompt("Token"))

        if __name__ == "__main__":
            manager.run()
        """,
    )
    assert manage("ask", input="ann\ny\nblue\n").stdout.endswith("got ann True blue\n")
    assert manage("ask", input="").stdout.endswith("got nobody False red\n")
    env = clean_env({"PYTHONPATH": str(project)})
    for args in (["ask"], ["need"]):
        closed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=project,
            stdin=subprocess.DEVNULL,
            preexec_fn=lambda: os.close(0),  # fd 0 closed: sys.stdin is None
            capture_output=True,
            text=True,
            env=env,
        )
        # no stdin at all: nobody to answer, even with a default (one line, exit 1)
        question = "Name" if args == ["ask"] else "Token"
        assert (closed.returncode, closed.stderr) == (
            1,
            f"error: cannot ask {question!r}: stdin is closed\n",
        )
        assert "got" not in closed.stdout


# -- app discovery ------------------------------------------------------------------------------
DISCOVERY_MANAGE = """
from flask import current_app

from flask_script_hub import Manager

manager = Manager(with_default_commands=False)


@manager.command
def name():
    "Prints the app's name"
    print(current_app.name)

if __name__ == "__main__":
    manager.run()
"""


@pytest.mark.parametrize(
    ("files", "flask_app", "expected"),
    [
        ({"app.py": "from flask import Flask\napp = Flask('plain')\n"}, "app.py", "plain"),
        ({"src/web.py": "from flask import Flask\napp = Flask('path')\n"}, "src/web.py", "path"),
        ({"web.py": "from flask import Flask\nwebapp = Flask('webapp')\n"}, "web", "webapp"),
        (
            {"web.py": "from flask import Flask\napplication = Flask('application')\n"},
            "web",
            "application",
        ),
        (
            {"web.py": "from flask import Flask\ndef make_app():\n    return Flask('made')\n"},
            "web",
            "made",
        ),
        (
            {"web.py": "from flask import Flask\ndef create_app():\n    return Flask('created')\n"},
            "web",
            "created",
        ),
        (
            {"web.py": "from flask import Flask\nmain = Flask('named')\nother = Flask('o')\n"},
            "web:main",
            "named",
        ),
        (
            {
                "pkg/__init__.py": "",
                "pkg/web.py": "from flask import Flask\n"
                "def build(name, debug=False):\n    return Flask(f'{name}-{debug}')\n",
            },
            "pkg.web:build('called', debug=True)",
            "called-True",
        ),
    ],
)
def test_flask_app_forms_as_flask_app(write, manage, project, files, flask_app, expected):
    for name, text in files.items():
        write(name, text)
    write("manage.py", DISCOVERY_MANAGE)
    result = manage("name", env={"FLASK_APP": flask_app})
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{expected}\n", "")
    # the same string, read by flask's own loader, names the same app
    code = f"from flask.cli import ScriptInfo; print(ScriptInfo({flask_app!r}).load_app().name)"
    flask = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, env=clean_env()
    )
    assert flask.stdout == f"{expected}\n", flask.stderr


@pytest.mark.parametrize("filename", ["wsgi.py", "app.py"])
def test_without_flask_app_wsgi_py_or_app_py_as_flask(write, manage, filename):
    write(filename, "from flask import Flask\napp = Flask('found')\n")
    write("manage.py", DISCOVERY_MANAGE)
    result = manage("name")
    assert (result.returncode, result.stdout, result.stderr) == (0, "found\n", "")


@pytest.mark.parametrize(
    ("files", "flask_app", "message"),
    [
        ({}, "missing", "error: Could not import 'missing'.\n"),
        (
            {"web.py": "from flask import Flask\na = Flask('a')\nb = Flask('b')\n"},
            "web",
            "error: Detected multiple Flask applications in module 'web'. Use 'web:name' to "
            "specify the correct one.\n",
        ),
        (
            {"web.py": "x = 1\n"},
            "web",
            "error: Failed to find Flask application or factory in module 'web'. Use 'web:name' "
            "to specify one.\n",
        ),
        ({"web.py": "x = 1\n"}, "web:app", "error: Failed to find attribute 'app' in 'web'.\n"),
    ],
)
def test_flask_app_errors_give_flask_hints(write, manage, files, flask_app, message):
    for name, text in files.items():
        write(name, text)
    write("manage.py", DISCOVERY_MANAGE)
    result = manage("name", env={"FLASK_APP": flask_app})
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


# -- manager options are never silently ignored -------------------------------------------------
DB_APP = """
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)


app = Flask("ready")
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.abspath("dev.sqlite")
db.init_app(app)
"""


def test_manager_option_with_a_ready_app_is_a_usage_error(write, manage, project):
    write("app.py", DB_APP)
    write(
        "manage.py",
        """
        from flask_script_hub import Manager

        from app import app, db

        manager = Manager(app)
        manager.add_option("-c", "--config", dest="config", required=False)
        tools = Manager(help="Tools without an app function")
        tools.add_option("-v", "--verbose", action="store_true")
        manager.add_command("tools", tools)


        @manager.command
        def create():
            "Creates the tables"
            db.create_all()
            print("created")


        @tools.command
        def ping():
            "Answers"
            print("pong")

        if __name__ == "__main__":
            manager.run()
        """,
    )
    result = manage("-c", "production.cfg", "create")
    usage_error_run(
        result,
        "error: manage.py: -c/--config cannot be applied: the app is a ready Flask instance",
    )
    assert not (project / "instance" / "dev.sqlite").exists()  # nothing ran against a database
    sub = manage("tools", "-v", "ping")
    usage_error_run(sub, "manage.py tools: -v/--verbose cannot be applied")
    # also for a command that never creates the app
    usage_error_run(manage("-c", "x.cfg", "plugins"), "-c/--config cannot be applied")
    assert manage("create").stdout == "created\n"
    with closing(sqlite3.connect(project / "dev.sqlite")) as conn:
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (0,)
    assert manage("tools", "ping").stdout == "pong\n"


def test_manager_option_under_flask_manage_is_a_usage_error(write, project):
    write(
        "app.py",
        """
        from flask import Flask

        from flask_script_hub.flask_cli import manager_command

        from manage import manager


        def create_app(config=None):
            app = Flask(f"app-{config}")
            app.cli.add_command(manager_command(manager))
            return app
        """,
    )
    write(
        "manage.py",
        """
        from flask import current_app

        from flask_script_hub import Manager

        manager = Manager("app:create_app")
        manager.add_option("-c", "--config", dest="config", required=False)


        @manager.command
        def name():
            "Prints the app's name"
            print(current_app.name)

        if __name__ == "__main__":
            manager.run()
        """,
    )
    env = clean_env({"PYTHONPATH": str(project)})

    def flask(*args):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "manage", *args],
            cwd=project, capture_output=True, text=True, env=env,
        )  # fmt: skip

    assert flask("name").stdout == "app-None\n"
    refused = flask("-c", "prod", "name")
    assert (refused.returncode, refused.stdout) == (2, ""), refused.stderr
    assert (
        "-c/--config cannot be applied: the app was loaded by the flask command"
        in (refused.stderr.splitlines()[-1])
    )
