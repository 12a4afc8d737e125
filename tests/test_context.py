"""The invocation context (flask_script_hub.context) and the one rule for handing the app to
commands, with real Flask apps run through Manager.handle in this process."""

from __future__ import annotations

import pytest
from flask import Flask, current_app

from flask_script_hub import Command, Manager, Option, current_app_loader, current_manager
from flask_script_hub.context import current_invocation
from flask_script_hub.testing import ManagerRunner

ENV = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


def factory(config: str | None = None) -> Flask:
    app = Flask("ctxapp")
    app.config["NAME"] = config or "default"
    return app


def run(manager: Manager, *args: str):
    return ManagerRunner().invoke(manager, list(args), env=ENV, catch_exceptions=False)


# -- the invocation in progress ----------------------------------------------------------------
def test_outside_an_invocation_there_is_none():
    for read in (current_manager, current_app_loader, current_invocation):
        with pytest.raises(RuntimeError, match=r"no manage\.py command is running"):
            read()


def test_commands_read_the_options_of_every_manager_on_the_path():
    seen = {}
    root = Manager(factory)
    root.add_option("-c", "--config", dest="config")
    sub = Manager(lambda app, verbose=False: None)
    sub.add_option("-v", "--verbose", dest="verbose", action="store_true")
    root.add_command("jobs", sub)

    @sub.command
    def show():
        invocation = current_invocation()
        seen["root"] = dict(invocation.options_of(current_manager()))
        seen["sub"] = dict(invocation.options_of(sub))
        seen["path"] = [manager for manager, _ in invocation.path]

    result = run(root, "-c", "prod", "jobs", "-v", "show")
    assert result.exit_code == 0, result.output
    assert seen == {"root": {"config": "prod"}, "sub": {"verbose": True}, "path": [root, sub]}


def test_options_of_a_manager_off_the_path_is_an_error():
    root = Manager(factory)
    other = Manager()
    errors = []

    @root.command
    def probe():
        try:
            current_invocation().options_of(other)
        except LookupError as exc:
            errors.append(str(exc))

    assert run(root, "probe").exit_code == 0
    assert errors and "not on the path" in errors[0]


def test_the_loader_gives_the_app_the_command_received():
    apps = []
    manager = Manager(factory)

    @manager.command
    def hello(app):
        apps.extend([app, current_app_loader()(), current_app._get_current_object()])

    assert run(manager, "hello").exit_code == 0
    assert apps[0] is apps[1] is apps[2]


def test_a_nested_invocation_restores_the_outer_one():
    inner = Manager(factory, with_default_commands=False)
    roots = []

    @inner.command
    def leaf():
        roots.append(current_manager())

    outer = Manager(factory)

    @outer.command
    def branch():
        roots.append(current_manager())
        inner.handle("inner", ["leaf"])
        roots.append(current_manager())

    assert run(outer, "branch").exit_code == 0
    assert roots == [outer, inner, outer]


# -- one rule for handing the app to commands -----------------------------------------------------
class Named(Command):
    """Print the app's configured name."""

    option_list = (Option("-g", "--greeting", default="hi"),)

    def run(self, app, greeting):
        print(greeting, app.config["NAME"])


class Plain(Command):
    """No app parameter: gets none."""

    def run(self, **kwargs):
        print(sorted(kwargs))


class AppOption(Command):
    """An option parsed into 'app' keeps its value."""

    option_list = (Option("--app", dest="app", default="from-option"),)

    def run(self, app):
        print("app is", app)


class NoApp(Command):
    """Never creates the app."""

    needs_app = False

    def run(self, app):
        print("app is", app)


@pytest.mark.parametrize(
    ("command", "args", "expected", "takes_app"),
    [
        (Named(), ["-c", "prod", "cmd", "-g", "hello"], "hello prod\n", True),
        (Plain(), ["cmd"], "[]\n", False),
        (AppOption(), ["cmd"], "app is from-option\n", True),
        (NoApp(), ["cmd"], "app is None\n", True),
    ],
)
def test_class_commands_receive_the_app_when_run_declares_it(command, args, expected, takes_app):
    manager = Manager(factory)
    manager.add_option("-c", "--config", dest="config")
    manager.add_command("cmd", command)
    result = run(manager, *args)
    assert (result.exit_code, result.stdout) == (0, expected), result.output
    assert command.takes_app() is takes_app


def test_function_commands_follow_the_same_rule():
    manager = Manager(factory)

    @manager.command
    def with_app(app):
        print("app", app.name)

    @manager.command
    def app_option(app="opt"):
        print("option", app)

    assert run(manager, "with_app").stdout == "app ctxapp\n"
    assert run(manager, "app_option", "--app", "x").stdout == "option x\n"
    assert manager.commands["with_app"].takes_app()
    assert not manager.commands["app_option"].takes_app()
