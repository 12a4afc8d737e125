"""Every example of the Flask-Script documentation, in Python 3, with flask_script_hub.

Each test names the section of the Flask-Script docs it follows. Most run in-process with
ManagerRunner; ``test_*_manage_py`` ones run a real manage.py in a subprocess.
"""

from __future__ import annotations

import pytest
from flask import Flask, current_app

from flask_script_hub import Command, Group, Manager, Option, prompt_bool
from flask_script_hub.commands import InvalidCommand
from flask_script_hub.testing import ManagerRunner

runner = ManagerRunner()


def make_manager(**kwargs: object) -> Manager:
    kwargs.setdefault("with_default_commands", False)
    return Manager(Flask("docsapp"), **kwargs)  # type: ignore[arg-type]


# -- "Creating and running commands" ---------------------------------------------------------
class Hello(Command):
    "prints hello world"

    def run(self):
        print("hello world")


def test_command_subclass_added_by_name():
    manager = make_manager()
    manager.add_command("hello", Hello())
    result = runner.invoke(manager, ["hello"])
    assert (result.exit_code, result.stdout) == (0, "hello world\n")


def test_command_class_is_instantiated():
    manager = make_manager()
    manager.add_command("hello", Hello)  # a class is instantiated, as in Flask-Script
    result = runner.invoke(manager, ["hello"])
    assert result.stdout == "hello world\n"


def test_commands_dict_passed_to_run(monkeypatch, capsys):
    manager = make_manager()
    monkeypatch.setattr("sys.argv", ["manage.py", "hello"])
    with pytest.raises(SystemExit) as exit_info:
        manager.run({"hello": Hello()})
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "hello world\n"


def test_add_command_without_name_uses_class_name():
    class ShowThingsCommand(Command):
        "show things"

        def run(self):
            print("things")

    manager = make_manager()
    manager.add_command(ShowThingsCommand())
    assert runner.invoke(manager, ["showthings"]).stdout == "things\n"


def test_add_command_with_namespace_creates_sub_manager():
    manager = make_manager()
    manager.add_command("hello", Hello(), namespace="greet")
    assert runner.invoke(manager, ["greet", "hello"]).stdout == "hello world\n"


def test_no_command_lists_commands_with_their_docstring():
    manager = make_manager()
    manager.add_command("hello", Hello())
    result = runner.invoke(manager, [])
    assert result.exit_code == 0
    assert "hello" in result.stdout and "prints hello world" in result.stdout


def test_command_help_shows_usage_and_docstring():
    manager = make_manager()
    manager.add_command("hello", Hello())
    result = runner.invoke(manager, ["hello", "-?"])
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: manage.py hello")
    assert "prints hello world" in result.stdout


def test_command_decorator_docstring_is_help():
    manager = make_manager()

    @manager.command
    def hello():
        "Just say hello"
        print("hello")

    assert runner.invoke(manager, ["hello"]).stdout == "hello\n"
    assert "Just say hello" in runner.invoke(manager, ["-?"]).stdout
    assert "Just say hello" in runner.invoke(manager, ["hello", "--help"]).stdout


# -- help_args ("New in version 2.0.2") --------------------------------------------------------
def test_h_is_not_help_by_default():
    manager = make_manager()

    @manager.command
    def talker(host="localhost"):
        print("talking to", host)

    assert runner.invoke(manager, ["talker", "-h", "fubar.example.com"]).stdout == (
        "talking to fubar.example.com\n"
    )


def test_help_args_restored_and_overridden_per_command():
    manager = make_manager()
    manager.help_args = ("-h", "-?", "--help")

    def talker(host="localhost"):
        print("talking to", host)

    ccmd = Command(talker)
    ccmd.help_args = ("-?", "--help")
    manager.add_command("connect", ccmd)
    assert runner.invoke(manager, ["-h"]).stdout.startswith("usage: manage.py")
    assert runner.invoke(manager, ["connect", "-h", "fubar.example.com"]).stdout == (
        "talking to fubar.example.com\n"
    )


def test_help_args_inherited_by_sub_managers_and_commands():
    manager = make_manager()
    manager.help_args = ("-h", "--help")
    sub = Manager()
    sub.add_command("hello", Hello())
    manager.add_command("sub", sub)
    assert runner.invoke(manager, ["sub", "-h"]).stdout.startswith("usage: manage.py sub")
    assert runner.invoke(manager, ["sub", "hello", "-h"]).stdout.startswith(
        "usage: manage.py sub hello"
    )
    assert runner.invoke(manager, ["sub", "hello", "-?"]).exit_code == 2


def test_help_arg_that_a_command_uses_is_left_to_the_command():
    manager = make_manager()
    manager.help_args = ("-h", "-?", "--help")

    @manager.command
    def serve(host="127.0.0.1"):
        print("serving on", host)

    assert runner.invoke(manager, ["serve", "-h", "0.0.0.0"]).stdout == "serving on 0.0.0.0\n"
    assert "usage: manage.py serve" in runner.invoke(manager, ["serve", "-?"]).stdout


# -- "Adding arguments to commands" ------------------------------------------------------------
class HelloName(Command):
    option_list = (Option("--name", "-n", dest="name"),)

    def run(self, name):
        print(f"hello {name}")


@pytest.mark.parametrize("args", [["--name=Joe"], ["-n", "Joe"], ["--name", "Joe"]])
def test_option_list(args):
    manager = make_manager()
    manager.add_command("hello", HelloName())
    assert runner.invoke(manager, ["hello", *args]).stdout == "hello Joe\n"


def test_get_options_per_instance():
    class Greet(Command):
        def __init__(self, default_name="Joe"):
            super().__init__()
            self.default_name = default_name

        def get_options(self):
            return [Option("-n", "--name", dest="name", default=self.default_name)]

        def run(self, name):
            print("hello", name)

    manager = make_manager()
    manager.add_command("hello", Greet("Ann"))
    assert runner.invoke(manager, ["hello"]).stdout == "hello Ann\n"
    assert runner.invoke(manager, ["hello", "-n", "Bo"]).stdout == "hello Bo\n"


def test_positional_argument_from_signature():
    manager = make_manager()

    @manager.command
    def hello(name):
        print("hello", name)

    assert runner.invoke(manager, ["hello", "Joe"]).stdout == "hello Joe\n"
    result = runner.invoke(manager, ["hello"])
    assert result.exit_code == 2
    assert "the following arguments are required: name" in result.stderr


@pytest.mark.parametrize("args", [["--name=Joe"], ["-n", "Joe"]])
def test_optional_argument_from_signature(args):
    manager = make_manager()

    @manager.command
    def hello(name="Fred"):
        print("hello", name)

    assert runner.invoke(manager, ["hello", *args]).stdout == "hello Joe\n"
    assert runner.invoke(manager, ["hello"]).stdout == "hello Fred\n"


@pytest.mark.parametrize(
    ("args", "expected"), [([], "NO"), (["-v"], "YES"), (["--verified"], "YES")]
)
def test_boolean_flag(args, expected):
    manager = make_manager()

    @manager.command
    def verify(verified=False):
        "Checks if verified"
        print("VERIFIED?", "YES" if verified else "NO")

    assert runner.invoke(manager, ["verify", *args]).stdout == f"VERIFIED? {expected}\n"


def test_option_decorator_stacked():
    manager = make_manager()

    @manager.option("-n", "--name", dest="name", default="joe")
    @manager.option("-u", "--url", dest="url", default=None)
    def hello(name, url):
        if url is None:
            print("hello", name)
        else:
            print("hello", name, "from", url)

    assert runner.invoke(manager, ["hello", "-n", "Joe", "-u", "reddit.com"]).stdout == (
        "hello Joe from reddit.com\n"
    )
    assert runner.invoke(manager, ["hello", "--name=Joe", "--url=reddit.com"]).stdout == (
        "hello Joe from reddit.com\n"
    )
    assert runner.invoke(manager, ["hello"]).stdout == "hello joe\n"
    help_text = runner.invoke(manager, ["hello", "-?"]).stdout
    assert help_text.index("--name") < help_text.index("--url")  # written order


# -- "Adding options to the manager" ----------------------------------------------------------
def create_app(config=None):
    app = Flask("factoryapp")
    if config is not None:
        app.config["USE_UPPERCASE"] = config == "dev.cfg"
    app.config["CREATED"] = app.config.get("CREATED", 0) + 1
    return app


def factory_manager() -> Manager:
    manager = Manager(create_app, with_default_commands=False)
    manager.add_option("-c", "--config", dest="config", required=False)

    @manager.command
    def hello(name):
        name = name.upper() if current_app.config.get("USE_UPPERCASE") else name
        print("hello", name)

    @manager.option("-n", "--name", dest="name", default="joe")
    @manager.option("-c", "--clue", dest="clue", default="clue")
    def hello2(name, clue):
        if current_app.config.get("USE_UPPERCASE", False):
            name, clue = name.upper(), clue.upper()
        print(f"hello {name}, get a {clue}!")

    return manager


def test_manager_option_passed_to_factory():
    result = runner.invoke(factory_manager(), ["-c", "dev.cfg", "hello", "joe"])
    assert result.stdout == "hello JOE\n"


def test_manager_option_after_command_is_an_error():
    result = runner.invoke(factory_manager(), ["hello", "joe", "-c", "dev.cfg"])
    assert result.exit_code == 2
    assert "unrecognized arguments: -c dev.cfg" in result.stderr


def test_same_named_options_at_two_levels():
    result = runner.invoke(
        factory_manager(), ["-c", "dev.cfg", "hello2", "-c", "cookie", "-n", "frank"]
    )
    assert result.stdout == "hello FRANK, get a COOKIE!\n"


def test_app_parameter_receives_the_app():
    manager = factory_manager()

    @manager.command
    def mycommand(app):
        print(app.name, app.config["USE_UPPERCASE"])

    assert runner.invoke(manager, ["-c", "dev.cfg", "mycommand"]).stdout == "factoryapp True\n"


# -- "Getting user input" -----------------------------------------------------------------------
def test_prompt_bool_in_a_command():
    manager = make_manager()

    @manager.command
    def dropdb():
        if prompt_bool("Are you sure you want to lose all your data"):
            print("dropped")
        else:
            print("kept")

    result = runner.invoke(manager, ["dropdb"], input="y\n")
    assert result.stdout == "Are you sure you want to lose all your data [y/N]: dropped\n"
    assert runner.invoke(manager, ["dropdb"], input="\n").stdout.endswith("kept\n")
    assert runner.invoke(manager, ["dropdb"], input="").stdout.endswith("kept\n")


# -- "Sub-Managers" ------------------------------------------------------------------------------
def test_sub_manager_options_reach_its_function_and_may_replace_the_app():
    seen = {}

    def gen_admin(app, **kwargs):
        seen.update(kwargs, parent=app.name)
        admin = Flask("admin")
        admin.config.update(app.config)
        return admin

    sub_manager = Manager(gen_admin)
    sub_manager.add_option("-r", "--role", dest="role", default="viewer")

    @sub_manager.command
    def whoami():
        print(current_app.name)

    manager = Manager(Flask("main"), with_default_commands=False)
    manager.add_command("admin", sub_manager)

    @manager.command
    def whoami():  # noqa: F811
        print(current_app.name)

    assert runner.invoke(manager, ["whoami"]).stdout == "main\n"
    assert runner.invoke(manager, ["admin", "-r", "owner", "whoami"]).stdout == "admin\n"
    assert seen == {"role": "owner", "parent": "main"}


def test_sub_manager_returning_none_keeps_the_app():
    sub = Manager(lambda app, **kwargs: None)

    @sub.command
    def name():
        print(current_app.name)

    manager = Manager(Flask("kept"), with_default_commands=False)
    manager.add_command("sub", sub)
    assert runner.invoke(manager, ["sub", "name"]).stdout == "kept\n"


def test_cascaded_sub_managers_and_bare_listing():
    leaf = Manager(usage="Leaf operations")

    @leaf.command
    def ping():
        "Answer pong"
        print("pong")

    middle = Manager(usage="Middle")
    middle.add_command("leaf", leaf)
    manager = make_manager()
    manager.add_command("middle", middle)
    assert runner.invoke(manager, ["middle", "leaf", "ping"]).stdout == "pong\n"
    listing = runner.invoke(manager, ["middle", "leaf"])
    assert listing.exit_code == 0
    assert "Leaf operations" in listing.stdout and "Answer pong" in listing.stdout


def test_sub_manager_gets_no_default_commands():
    sub = Manager()
    sub.add_command("hello", Hello())
    manager = Manager(Flask("x"))
    manager.add_command("sub", sub)
    listing = runner.invoke(manager, ["sub"]).stdout
    assert "runserver" not in listing and "shell" not in listing
    assert "runserver" in runner.invoke(manager, []).stdout


def test_sub_manager_default_commands_on_request():
    sub = Manager(with_default_commands=True)
    manager = make_manager()
    manager.add_command("admin", sub)
    listing = runner.invoke(manager, ["admin"]).stdout
    assert "runserver" in listing and "shell" in listing


def test_extension_sub_manager_listing():
    database = Manager(usage="Perform database operations")

    @database.command
    def drop():
        "Drops database tables"

    @database.command
    def create(default_data=True, sample_data=False):
        "Creates database tables from sqlalchemy models"
        print("create", default_data, sample_data)

    manager = make_manager()
    manager.add_command("database", database)
    listing = runner.invoke(manager, ["database"]).stdout
    assert "Perform database operations" in listing
    assert "create" in listing and "Creates database tables from sqlalchemy models" in listing
    assert runner.invoke(manager, ["database", "create", "--no-default-data", "-s"]).stdout == (
        "create False True\n"
    )


# -- "Error handling" ----------------------------------------------------------------------------
def test_invalid_command_prints_one_line_and_exits_1():
    class MyCommand(Command):
        option_list = (Option("--foo"), Option("--bar"))

        def run(self, foo=None, bar=None):
            if foo and bar:
                raise InvalidCommand("Options foo and bar are incompatible")

    manager = make_manager()
    manager.add_command("my", MyCommand())
    result = runner.invoke(manager, ["my", "--foo", "1", "--bar", "2"])
    assert result.exit_code == 1
    assert result.stderr == "error: Options foo and bar are incompatible\n"
    assert runner.invoke(manager, ["my", "--foo", "1"]).exit_code == 0


# -- "Accessing local proxies" --------------------------------------------------------------------
def test_command_runs_in_app_context():
    manager = make_manager()

    @manager.command
    def name():
        print(current_app.name)

    assert runner.invoke(manager, ["name"]).stdout == "docsapp\n"


# -- API reference: Group ------------------------------------------------------------------------
def test_mutually_exclusive_required_group():
    class Pick(Command):
        option_list = (
            Group(
                Option("--red", action="store_true"),
                Option("--blue", action="store_true"),
                exclusive=True,
                required=True,
            ),
        )

        def run(self, red, blue):
            print("red" if red else "blue")

    manager = make_manager()
    manager.add_command("pick", Pick())
    assert runner.invoke(manager, ["pick", "--blue"]).stdout == "blue\n"
    both = runner.invoke(manager, ["pick", "--red", "--blue"])
    assert both.exit_code == 2 and "not allowed with argument" in both.stderr
    assert runner.invoke(manager, ["pick"]).exit_code == 2


def test_titled_group_shows_in_help():
    class Conn(Command):
        option_list = (Group(Option("--host"), Option("--port", type=int), title="connection"),)

        def run(self, host, port):
            print(host, port)

    manager = make_manager()
    manager.add_command("conn", Conn())
    assert "connection:" in runner.invoke(manager, ["conn", "-?"]).stdout
    assert runner.invoke(manager, ["conn", "--port", "5"]).stdout == "None 5\n"
    with pytest.raises(ValueError, match="not both"):
        Group(Option("--x"), title="t", exclusive=True)


# -- API reference: run(commands=..., default_command=...) -----------------------------------
def test_run_default_command_with_arguments(project, write, manage):
    write(
        "manage.py",
        """
        from flask import Flask
        from flask_script_hub import Manager, Command

        class Hello(Command):
            "prints hello world"
            def run(self):
                print("hello world")

        manager = Manager(Flask(__name__), with_default_commands=False)

        @manager.command
        def greet(name="you"):
            print("hi", name)

        if __name__ == "__main__":
            manager.run({"hello": Hello()}, default_command="greet")
        """,
    )
    assert manage().stdout == "hi you\n"
    assert manage("greet", "-n", "Al").stdout == "hi Al\n"
    assert manage("hello").stdout == "hello world\n"


def test_first_example_manage_py(project, write, manage):
    """The opening example of the Flask-Script docs, with the app imported from the project."""
    write("myapp.py", "from flask import Flask\napp = Flask(__name__)\n")
    write(
        "manage.py",
        """
        from flask_script_hub import Manager

        from myapp import app

        manager = Manager(app)

        @manager.command
        def hello():
            print("hello")

        if __name__ == "__main__":
            manager.run()
        """,
    )
    run = manage("hello")
    assert (run.returncode, run.stdout, run.stderr) == (0, "hello\n", "")
