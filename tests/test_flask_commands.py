"""One ecosystem: `flask.commands` extensions and `app.cli` in manage.py, plugins under `flask`.

Every extension here is a real installed distribution (a ``*.dist-info`` with entry points) and
every run a real ``manage.py`` or ``flask`` subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Run, clean_env

# a Flask extension publishing click commands, as Flask-Migrate or Flask-Babel do; importing it
# leaves a mark, so that tests can tell whether listing imported it
EXTENSION = """
    import pathlib
    import click
    from flask import current_app
    from flask.cli import with_appcontext

    with pathlib.Path("imported-ext").open("a") as mark:
        mark.write("x")

    @click.command()
    @click.option("--name", default="world", help="Who to greet.")
    @with_appcontext
    def hello(name):
        \"\"\"Say hello from the app.\"\"\"
        click.echo(f"hello {name} from {current_app.name}")

    @click.group()
    def tools():
        \"\"\"Maintenance tools.\"\"\"

    @tools.command()
    @click.argument("count", type=int)
    @click.option("--char", type=click.Choice(["x", "y"]), default="x")
    def repeat(count, char):
        \"\"\"Repeat a character COUNT times.\"\"\"
        click.echo(char * count)
"""

MANAGE = """
    # PYTHON_ARGCOMPLETE_OK
    import pathlib
    from flask import Blueprint, Flask
    from flask_script_hub import Manager

    def create_app(config=None):
        with pathlib.Path("factory-called").open("a") as mark:
            mark.write(f"{config}\\n")
        app = Flask("demo")

        @app.cli.command("seed")
        def seed():
            \"\"\"Seed the database.\"\"\"
            print("seeded")

        bp = Blueprint("reports", __name__, cli_group=None)

        @bp.cli.command("report")
        def report():
            \"\"\"Print the report.\"\"\"
            print("report printed")

        app.register_blueprint(bp)
        return app

    manager = Manager(create_app)
    manager.add_option("-c", "--config", dest="config")

    if __name__ == "__main__":
        manager.run()
"""

GREET_PLUGIN = """
    import pathlib
    from typing import Literal
    import click
    from flask import current_app
    from flask_script_hub import Manager, hookimpl

    with pathlib.Path("imported-greet").open("a") as mark:
        mark.write("x")

    sub = Manager(help="Greetings.")
    sub.add_option("--lang", choices=["en", "fr"])

    @sub.option("--name", default="world")
    def hello(name):
        \"\"\"Greet from the app.\"\"\"
        print(f"greet {name} from {current_app.name}")

    @sub.option("-s", "--style", choices=["plain", "fancy"], default="plain")
    @sub.option("who", choices=["ann", "bob"])
    def wave(who, style):
        \"\"\"Wave at someone.\"\"\"

    @click.command()
    @click.option("--times", type=click.Choice(["1", "2"]))
    def shout(times):
        \"\"\"Shout, a click command mounted in the namespace.\"\"\"

    sub.add_command("shout", shout)

    farewell = Manager(help="Farewells.")
    sub.add_command("farewell", farewell)

    @farewell.command
    def bye(when: Literal["now", "later"] = "now", loud=True):
        \"\"\"Say goodbye.\"\"\"

    @hookimpl
    def register_commands(manager):
        manager.add_command("greet", sub)
"""


@pytest.fixture
def extension(make_dist):
    make_dist(
        "flask-hello",
        {},
        {"flask_hello/cli.py": EXTENSION},
        summary="Hello commands for Flask",
        flask_commands={"hello": "flask_hello.cli:hello", "tools": "flask_hello.cli:tools"},
    )


@pytest.fixture
def app_project(write, extension):
    write("manage.py", MANAGE)


def test_flask_commands_listed_from_metadata_only(app_project, manage, project):
    run = manage()
    assert run.returncode == 0, run.stderr
    assert "hello" in run.stdout and "Hello commands for Flask (flask-hello)" in run.stdout
    listing = manage("plugins")
    row = next(line for line in listing.stdout.splitlines() if line.startswith("hello "))
    assert row.split() == [
        "hello",
        "flask-hello",
        "1.0",
        "flask.commands",
        "flask_hello.cli:hello",
        "available",
    ]
    assert not (project / "imported-ext").exists()
    assert not (project / "factory-called").exists()


def test_flask_command_runs_with_the_managers_app_once(app_project, manage, project):
    run = manage("-c", "prod", "hello", "--name", "ann")
    assert (run.returncode, run.stdout) == (0, "hello ann from demo\n"), run.stderr
    # manager options reach the factory, which is called once
    assert (project / "factory-called").read_text() == "prod\n"


def test_click_group_behaves_like_a_native_namespace(app_project, manage):
    bare = manage("tools")
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.startswith("Usage: manage.py tools [OPTIONS] COMMAND")
    assert "repeat  Repeat a character COUNT times." in bare.stdout
    helped = manage("tools", "repeat", "-?")
    assert helped.returncode == 0
    assert helped.stdout.startswith("Usage: manage.py tools repeat [OPTIONS] COUNT")
    assert "-?, --help" in helped.stdout
    bad = manage("tools", "repeat", "two")
    assert bad.returncode == 2
    assert "Usage: manage.py tools repeat" in bad.stderr
    assert "Invalid value for 'COUNT'" in bad.stderr
    assert manage("tools", "repeat", "3", "--char", "y").stdout == "yyy\n"


def test_app_cli_and_blueprint_commands_are_a_fallback(app_project, manage, project):
    assert manage("seed").stdout == "seeded\n"
    assert manage("report").stdout == "report printed\n"
    assert (project / "factory-called").read_text() == "None\nNone\n"
    unknown = manage("nope")
    assert unknown.returncode == 2
    assert "invalid choice: 'nope'" in unknown.stderr


def test_app_cli_commands_listed_for_an_app_instance(write, manage):
    write(
        "manage.py",
        """
        from flask import Flask
        from flask_script_hub import Manager

        app = Flask("inst")

        @app.cli.command("seed")
        def seed():
            \"\"\"Seed the database.\"\"\"

        Manager(app).run()
        """,
    )
    run = manage()
    assert "app commands (app.cli):\n  seed" in run.stdout
    assert "Seed the database." in run.stdout


def test_plugin_shadows_a_flask_command_and_says_so(app_project, make_dist, manage, project):
    make_dist(
        "flask-script-hub-hello",
        {"hello": "fsh_hello.plugin"},
        {
            "fsh_hello/plugin.py": """
            from flask_script_hub import hookimpl

            @hookimpl
            def register_commands(manager):
                @manager.command
                def hello():
                    \"\"\"The plugin's hello.\"\"\"
                    print("plugin hello")
            """
        },
    )
    assert manage("hello").stdout == "plugin hello\n"
    rows = [line for line in manage("plugins").stdout.splitlines() if line.startswith("hello ")]
    assert rows[0].split()[:4] == ["hello", "flask-script-hub-hello", "1.0", "flask_script_hub"]
    assert "shadowed by the flask_script_hub plugin of flask-script-hub-hello 1.0" in rows[1]
    assert "from flask-hello 1.0" in rows[1]
    assert not (project / "imported-ext").exists()


def test_two_flask_commands_of_one_name_are_a_conflict(app_project, make_dist, manage):
    make_dist(
        "flask-other",
        {},
        {"flask_other/cli.py": "import click\nhello = click.Command('hello')\n"},
        flask_commands={"hello": "flask_other.cli:hello"},
    )
    run = manage("hello")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert "flask-hello 1.0" in run.stderr and "flask-other 1.0" in run.stderr
    assert manage("tools", "repeat", "1").stdout == "x\n"  # the others still work


def test_flask_commands_can_be_disabled(app_project, manage):
    run = manage("hello", env={"FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "flask-hello"})
    assert run.returncode == 1
    assert "disabled by FLASK_SCRIPT_HUB_DISABLE_PLUGINS" in run.stderr


def test_broken_flask_command_is_isolated(app_project, make_dist, manage):
    make_dist(
        "flask-broken",
        {},
        {"flask_broken/cli.py": "raise RuntimeError('broken at import')\n"},
        flask_commands={"broken": "flask_broken.cli:cmd"},
    )
    run = manage("broken")
    assert run.returncode == 1
    assert "broken at import" in run.stderr and "Traceback" not in run.stderr
    assert manage("hello").stdout == "hello world from demo\n"
    assert manage("plugins", "--check").returncode == 1


def test_completion_inside_a_click_group(app_project, manage, project, tmp_path):
    out = tmp_path / "completions"

    def complete(line: str) -> list[str]:
        run = manage(
            env={
                "_ARGCOMPLETE": "2",
                "COMP_LINE": line,
                "COMP_POINT": str(len(line)),
                "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
                "_ARGCOMPLETE_IFS": "\n",
            }
        )
        assert run.returncode == 0, run.stderr
        return sorted(out.read_text().split())

    assert "tools" in complete("python manage.py to")
    assert not (project / "imported-ext").exists()
    assert complete("python manage.py tools ") == ["repeat"]
    assert complete("python manage.py tools repeat 3 --ch") == ["--char"]
    assert complete("python manage.py tools repeat 3 --char ") == ["x", "y"]
    assert not (project / "factory-called").exists()


# -- the other direction: plugin namespaces under `flask` -----------------------------------------


def flask_run(project, site, *args: str, env: dict[str, str] | None = None) -> Run:
    extra = {"PYTHONPATH": os.pathsep.join([str(site), str(project)]), "FLASK_APP": "manage"}
    extra.update(env or {})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), *args],  # the `flask` script, as users run it
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(extra),
        timeout=60,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def greet_plugin(make_dist, write):
    make_dist(
        "flask-script-hub-greet",
        {"greet": "fsh_greet.plugin"},
        {"fsh_greet/plugin.py": GREET_PLUGIN},
        summary="Greetings for flask-script-hub",
        flask_commands={"greet": "flask_script_hub.namespaces:greet"},
    )
    write("manage.py", MANAGE)


def test_flask_help_lists_a_namespace_without_importing_it(greet_plugin, project, site):
    run = flask_run(project, site, "--help")
    assert run.returncode == 0, run.stderr
    assert "greet" in run.stdout and "Greetings for flask-script-hub" in run.stdout
    assert not (project / "imported-greet").exists()


def test_namespace_runs_under_flask(greet_plugin, project, site, manage):
    run = flask_run(project, site, "greet", "hello", "--name", "bo")
    assert (run.returncode, run.stdout) == (0, "greet bo from demo\n"), run.stderr
    helped = flask_run(project, site, "greet", "hello", "-?")
    assert helped.stdout.startswith("usage: flask greet hello")
    bad = flask_run(project, site, "greet", "nope")
    assert bad.returncode == 2 and "flask greet: error: argument COMMAND" in bad.stderr
    # in manage.py the flask.commands line of the plugin is not a second `greet`
    listing = [line for line in manage("plugins").stdout.splitlines() if "greet" in line]
    assert len(listing) == 1


def flask_complete(project, site, *words: str) -> list[str]:
    """What bash gets from ``flask``'s click completion for ``flask WORDS`` (the last word is
    the one being completed): ``type,value`` lines, as click's bash script reads them."""
    env = {"_FLASK_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["flask", *words]),
           "COMP_CWORD": str(len(words))}  # fmt: skip
    run = flask_run(project, site, env=env)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    return run.stdout.splitlines()


def offered(lines: list[str]) -> list[str]:
    """The words offered (``plain`` completions), sorted."""
    return sorted(line.removeprefix("plain,") for line in lines if line.startswith("plain,"))


def test_flask_completion_of_a_failing_plugin_is_quiet(greet_plugin, project, site, make_dist):
    # a plugin that fails on import, even with SystemExit, offers nothing and prints nothing
    make_dist(
        "flask-script-hub-quits",
        {"quits": "fsh_quits.plugin"},
        {"fsh_quits/plugin.py": "raise SystemExit('quits was imported')\n"},
        flask_commands={"quits": "flask_script_hub.namespaces:quits"},
    )
    assert offered(flask_complete(project, site, "quits", "")) == []
    assert "plain,greet" in flask_complete(project, site, "gr")


def test_flask_completion_offers_a_namespace_commands_options(greet_plugin, project, site):
    assert offered(flask_complete(project, site, "greet", "hello", "--")) == ["--help", "--name"]
    # short and long strings, as argparse declares them, the help option included
    assert offered(flask_complete(project, site, "greet", "wave", "-")) == [
        "--help",
        "--style",
        "-?",
        "-s",
    ]
    # an option already given is not offered again
    assert offered(flask_complete(project, site, "greet", "hello", "--name", "bo", "--")) == [
        "--help"
    ]
    # the namespace's own options, before its command word
    assert offered(flask_complete(project, site, "greet", "--")) == ["--help", "--lang"]


def test_flask_completion_walks_nested_sub_managers(greet_plugin, project, site):
    assert offered(flask_complete(project, site, "greet", "")) == [
        "farewell",
        "hello",
        "shout",
        "wave",
    ]
    assert offered(flask_complete(project, site, "greet", "f")) == ["farewell"]
    assert offered(flask_complete(project, site, "greet", "farewell", "")) == ["bye"]
    assert offered(flask_complete(project, site, "greet", "--lang", "fr", "farewell", "")) == [
        "bye"
    ]
    # a function command's options: -w/--when, and --no-loud for a True default
    assert offered(flask_complete(project, site, "greet", "farewell", "bye", "--")) == [
        "--help",
        "--loud",
        "--no-loud",
        "--when",
    ]


def test_flask_completion_offers_choices_of_options_and_positionals(greet_plugin, project, site):
    assert offered(flask_complete(project, site, "greet", "wave", "--style", "")) == [
        "fancy",
        "plain",
    ]
    assert offered(flask_complete(project, site, "greet", "wave", "-s", "f")) == ["fancy"]
    assert offered(flask_complete(project, site, "greet", "wave", "--style=p")) == ["plain"]
    assert offered(flask_complete(project, site, "greet", "wave", "")) == ["ann", "bob"]
    assert offered(flask_complete(project, site, "greet", "wave", "-s", "fancy", "b")) == ["bob"]
    assert offered(flask_complete(project, site, "greet", "--lang", "")) == ["en", "fr"]
    # typing.Literal choices of a nested command's option
    words = ("greet", "farewell", "bye", "--when", "")
    assert offered(flask_complete(project, site, *words)) == ["later", "now"]
    # a click command mounted in the namespace completes as click does, with manage.py's help
    assert offered(flask_complete(project, site, "greet", "shout", "--")) == ["--help", "--times"]
    assert offered(flask_complete(project, site, "greet", "shout", "--times", "")) == ["1", "2"]
    # a value without choices: file names, as argcomplete's default completer gives them
    assert flask_complete(project, site, "greet", "hello", "--name", "") == ["file,"]
    # completing imported the plugin, never created the app
    assert (project / "imported-greet").exists()
    assert not (project / "factory-called").exists()


def test_flask_command_of_the_app_wins_over_a_namespace(greet_plugin, project, site, write):
    write(
        "manage.py",
        """
        import click
        from flask import Flask

        def create_app():
            app = Flask("demo")

            @app.cli.command("greet")
            @click.argument("who")
            def greet(who):
                print(f"app greet {who}")

            return app
        """,
    )
    run = flask_run(project, site, "greet", "zed")
    assert run.stdout == "app greet zed\n", run.stderr
    assert "takes precedence over the flask-script-hub namespace 'greet'" in run.stderr
