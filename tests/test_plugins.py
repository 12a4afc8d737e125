"""Plugin discovery through real installed distributions (``*.dist-info`` on the path).

Each plugin module here is a file in a ``site`` folder with a real ``entry_points.txt``; the
``boom`` plugin raises when imported, which proves which commands import which plugins.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from flask import Flask
from plugin_sources import GREET

from flask_script_hub import Manager, hookimpl
from flask_script_hub.testing import ManagerRunner

MANAGE = """
import os
from flask import Flask
from flask_script_hub import Manager

def create_app(config=None):
    print("FACTORY CALLED", config)
    return Flask("pluggedapp")

manager = Manager(create_app{extra})
manager.add_option("-c", "--config", dest="config")
{body}
if __name__ == "__main__":
    manager.run()
"""


@pytest.fixture
def plugins(greet_and_boom, write):
    write("manage.py", MANAGE.format(extra="", body=""))


def test_listing_shows_namespaces_with_summaries_without_importing(plugins, manage):
    run = manage()
    assert run.returncode == 0, run.stderr
    assert "plugin namespaces:" in run.stdout
    assert "Greets people (flask-script-hub-greet)" in run.stdout
    assert "Explodes on import (flask-script-hub-boom)" in run.stdout
    assert "FACTORY" not in run.stdout and run.stderr == ""
    assert manage("--help").stdout == run.stdout


def test_namespace_command_runs_with_app_created_once(plugins, manage):
    run = manage("-c", "dev", "greet", "--loud", "hello", "-n", "ann")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "FACTORY CALLED dev\nHELLO ANN FROM PLUGGEDAPP\n"
    assert run.stderr == ""


def test_namespace_listing_imports_only_that_plugin(plugins, manage):
    run = manage("greet")
    assert run.returncode == 0
    assert "Say hello" in run.stdout and "FACTORY" not in run.stdout


def test_broken_plugin_invoked_is_one_line_exit_1(plugins, manage):
    run = manage("boom", "anything")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert "the 'boom' plugin from flask-script-hub-boom 2.1 failed" in run.stderr
    assert "RuntimeError: boom was imported" in run.stderr
    assert "Traceback" not in run.stderr


def test_broken_plugin_traceback_on_request(plugins, manage):
    run = manage("boom", env={"FLASK_SCRIPT_HUB_TRACEBACK": "1"})
    assert run.returncode == 1
    assert "Traceback" in run.stderr and "boom was imported" in run.stderr


def test_plugins_command_lists_without_importing(plugins, manage):
    run = manage("plugins")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == [
        "NAMESPACE",
        "DISTRIBUTION",
        "VERSION",
        "GROUP",
        "ENTRY",
        "POINT",
        "STATUS",
    ]
    # other plugins may be installed in this environment: look at ours only
    lines = [lines[0]] + [line for line in lines if line.split()[0] in ("boom", "greet")]
    assert lines[1].split() == [
        "boom",
        "flask-script-hub-boom",
        "2.1",
        "flask_script_hub",
        "fsh_boom.plugin",
        "available",
    ]
    assert lines[2].split() == [
        "greet",
        "flask-script-hub-greet",
        "1.0",
        "flask_script_hub",
        "fsh_greet.plugin",
        "available",
    ]
    assert "FACTORY" not in run.stdout


def test_plugins_check_imports_and_validates(plugins, manage):
    run = manage("plugins", "--check")
    assert run.returncode == 1
    assert "error: RuntimeError: boom was imported" in run.stdout
    assert "greet" in run.stdout and "loaded" in run.stdout


def test_plugins_json(plugins, manage):
    run = manage("plugins", "--json")
    data = [d for d in json.loads(run.stdout) if d["namespace"] in ("boom", "greet")]
    assert [(d["namespace"], d["status"], d["summary"]) for d in data] == [
        ("boom", "available", "Explodes on import"),
        ("greet", "available", "Greets people"),
    ]


@pytest.mark.parametrize(
    ("hook_body", "error"),
    [
        ("raise ValueError('bad config')", "ValueError: bad config"),
        ("pass", "register_commands registered no command"),
        ("manager.add_command('other', Manager())", "registered 'other'; its entry point is 'bad'"),
        ("manager.add_command('bad', object())", "is not a Command, a Manager or a click command"),
    ],
)
def test_broken_hooks_are_isolated(plugins, make_dist, manage, hook_body, error):
    make_dist(
        "fsh-bad",
        {"bad": "fsh_bad.plugin"},
        {
            "fsh_bad/plugin.py": f"""
        from flask_script_hub import Manager, hookimpl

        @hookimpl
        def register_commands(manager):
            {hook_body}
        """
        },
    )
    run = manage("bad", "x")
    assert run.returncode == 1
    assert error in run.stderr and run.stderr.count("\n") == 1
    assert manage("greet", "hello").returncode == 0
    assert manage().returncode == 0
    check = manage("plugins", "--check")
    assert check.returncode == 1 and error in check.stdout


def test_conflicting_distributions(plugins, make_dist, manage):
    make_dist(
        "flask-script-hub-greet2",
        {"greet": "fsh_greet2.plugin"},
        {"fsh_greet2/plugin.py": GREET},
        version="3.0",
    )
    run = manage("greet", "hello")
    assert run.returncode == 1
    assert "flask-script-hub-greet 1.0 and flask-script-hub-greet2 3.0" in run.stderr
    assert "FLASK_SCRIPT_HUB_DISABLE_PLUGINS" in run.stderr
    listing = manage("plugins")
    assert listing.stdout.count("conflict") == 2
    chosen = manage(
        "greet", "hello", env={"FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "flask-script-hub-greet2"}
    )
    assert chosen.returncode == 0 and "hello world" in chosen.stdout


def test_manage_py_commands_win_over_plugins(plugins, write, manage):
    write(
        "manage.py",
        MANAGE.format(
            extra="",
            body="""
@manager.command
def greet():
    print("my own greet")
""",
        ),
    )
    assert manage("greet").stdout == "FACTORY CALLED None\nmy own greet\n"
    assert "shadowed" in manage("plugins").stdout


def test_disable_all_plugins(plugins, manage):
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
    assert "greet" not in manage(env=env).stdout
    run = manage("greet", "hello", env=env)
    assert run.returncode == 2 and "invalid choice: 'greet'" in run.stderr


def test_disable_one_plugin_by_env(plugins, manage):
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "boom"}
    assert "[disabled]" in manage(env=env).stdout
    run = manage("boom", env=env)
    assert run.returncode == 1 and "disabled by FLASK_SCRIPT_HUB_DISABLE_PLUGINS" in run.stderr
    assert manage("greet", "hello", env=env).returncode == 0


@pytest.mark.parametrize(
    "extra", [", plugins=['greet']", ", disable_plugins=['flask-script-hub-boom']"]
)
def test_manager_arguments_restrict_plugins(plugins, write, manage, extra):
    write("manage.py", MANAGE.format(extra=extra, body=""))
    assert manage("greet", "hello").returncode == 0
    assert manage("boom").returncode == 1
    assert "disabled" in manage("plugins").stdout


def test_listing_imports_neither_plugins_nor_flask(plugins, write, manage):
    write(
        "manage.py",
        """
import sys
from flask_script_hub import Manager
manager = Manager("myapp:create_app")
if __name__ == "__main__":
    try:
        manager.run()
    finally:
        watched = ("flask", "fsh_greet", "fsh_boom", "werkzeug")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in watched)
        print("LOADED", loaded, file=sys.stderr)
""",
    )
    for args in ((), ("--help",), ("plugins",)):
        run = manage(*args)
        assert run.returncode == 0
        assert run.stderr.strip() == "LOADED []", args


# -- in-process: plugins registered in code -----------------------------------------------------
class GreetPlugin:
    """Greets in code"""

    @hookimpl
    def register_commands(self, manager):
        sub = Manager()

        @sub.command
        def hi():
            print("hi from code")

        manager.add_command("code", sub)

    @hookimpl
    def shell_context(self, app):
        return {"answer": 42}


class BrokenContext:
    @hookimpl
    def shell_context(self, app):
        raise KeyError("nope")


def test_register_plugin_without_installing():
    manager = Manager(Flask("x"), with_default_commands=False)
    manager.register_plugin(GreetPlugin(), name="code")
    result = ManagerRunner().invoke(
        manager, ["code", "hi"], env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
    )
    assert result.stdout == "hi from code\n"
    listing = ManagerRunner().invoke(
        manager, [], env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}
    )
    assert "Greets in code" in listing.stdout


def test_call_hook_isolates_failures(capsys):
    manager = Manager(Flask("x"), with_default_commands=False)
    manager.register_plugin(GreetPlugin(), name="code")
    manager.register_plugin(BrokenContext(), name="broken")
    os.environ["FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        assert manager.call_hook("shell_context", app=manager.app) == [{"answer": 42}]
    finally:
        del os.environ["FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD"]
    assert "warning: plugin broken failed in shell_context: KeyError" in capsys.readouterr().err


def test_installed_plugin_found_in_process(plugins, site, monkeypatch):
    monkeypatch.syspath_prepend(str(site))
    manager = Manager(Flask("inproc"), with_default_commands=False)
    result = ManagerRunner().invoke(manager, ["greet", "hello"])
    assert result.stdout == "hello world from inproc\n", result.stderr
    assert "fsh_boom.plugin" not in sys.modules
