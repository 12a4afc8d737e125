"""Both directions with Flask's click CLI: click commands in a Manager, a Manager under `flask`."""

from __future__ import annotations

import click
import flask.cli
from flask import Flask, current_app

from flask_script_hub import Manager
from flask_script_hub.flask_cli import manager_command
from flask_script_hub.testing import ManagerRunner

runner = ManagerRunner()


def make_app() -> Flask:
    app = Flask("clickapp")

    @app.route("/hello")
    def hello():
        return "hi"

    return app


def test_flask_routes_command_mounted_in_a_manager():
    calls = []

    def factory():
        calls.append(1)
        return make_app()

    manager = Manager(factory, with_default_commands=False)
    manager.add_command("routes", flask.cli.routes_command)
    result = runner.invoke(manager, ["routes"])
    assert result.exit_code == 0, result.output
    assert "hello" in result.stdout and "/hello" in result.stdout
    assert calls == [1]
    assert "Show the routes for the app" in runner.invoke(manager, []).stdout


def test_click_command_arguments_and_errors():
    @click.command("greet")
    @click.option("--name", default="world")
    @click.argument("times", type=int)
    @flask.cli.with_appcontext
    def greet(name, times):
        """Greet someone."""
        click.echo(f"hello {name} x{times} from {current_app.name}")

    manager = Manager(make_app, with_default_commands=False)
    manager.add_command(greet)
    assert (
        runner.invoke(manager, ["greet", "--name", "ann", "2"]).stdout
        == "hello ann x2 from clickapp\n"
    )
    bad = runner.invoke(manager, ["greet", "two"])
    assert bad.exit_code == 2 and "Invalid value for 'TIMES'" in bad.stderr
    assert "Greet someone." in runner.invoke(manager, ["greet", "--help"]).stdout


def test_manager_under_the_flask_command():
    manager = Manager(lambda: Flask("never-used"), with_default_commands=False)

    @manager.command
    def whoami(loud=False):
        name = current_app.name
        print(name.upper() if loud else name)
        return 4

    app = make_app()
    app.cli.add_command(manager_command(manager))
    result = app.test_cli_runner().invoke(args=["manage", "whoami", "--loud"])
    assert result.output == "CLICKAPP\n"
    assert result.exit_code == 4
