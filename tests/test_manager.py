"""Manager behaviours beyond the seed's examples: one app per invocation, exits, app specs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from argparse_layout import metavar_once
from flask import Flask, current_app
from plugin_sources import GREET

from flask_script_hub import Command, InvalidCommand, Manager, __version__
from flask_script_hub.testing import ManagerRunner

runner = ManagerRunner()


@pytest.fixture
def counted():
    calls: list[dict] = []

    def create_app(**options):
        calls.append(options)
        return Flask("counted")

    manager = Manager(create_app, with_default_commands=False)
    manager.add_option("-c", "--config", dest="config")
    sub = Manager(lambda app, **options: calls.append({"sub": options}))
    sub.add_option("-x", dest="x")

    @sub.command
    def leaf(n: int = 1):
        "A leaf"
        print(current_app.name, n)

    manager.add_command("sub", sub)
    return manager, calls


@pytest.mark.parametrize(
    "args", [[], ["-?"], ["sub"], ["sub", "-?"], ["sub", "leaf", "-?"], ["sub", "leaf", "-n", "x"]]
)
def test_app_not_created_for_help_listing_and_usage_errors(counted, args):
    manager, calls = counted
    assert runner.invoke(manager, args).exit_code in (0, 2)
    assert calls == []


def test_app_created_once_with_root_then_sub_options(counted):
    manager, calls = counted
    result = runner.invoke(manager, ["-c", "prod", "sub", "-x", "1", "leaf", "-n", "2"])
    assert result.stdout == "counted 2\n", result.stderr
    assert calls == [{"config": "prod"}, {"sub": {"x": "1"}}]


def test_capture_all_args():
    class Forward(Command):
        "Forward everything"

        capture_all_args = True

        def run(self, remaining):
            print(remaining)

    manager = Manager(Flask("x"), with_default_commands=False)
    manager.add_command("forward", Forward())
    assert (
        runner.invoke(manager, ["forward", "-a", "b", "--c=d"]).stdout == "['-a', 'b', '--c=d']\n"
    )


def test_ctrl_c_exits_130():
    manager = Manager(Flask("x"), with_default_commands=False)

    @manager.command
    def wait():
        raise KeyboardInterrupt

    result = runner.invoke(manager, ["wait"])
    assert (result.exit_code, result.stderr) == (130, "\nAborted!\n")


def test_invalid_command_traceback_on_request():
    manager = Manager(Flask("x"), with_default_commands=False)

    @manager.command
    def fail():
        raise InvalidCommand("nope")

    quiet = runner.invoke(manager, ["fail"])
    assert quiet.stderr == "error: nope\n"
    loud = runner.invoke(manager, ["fail"], env={"FLASK_SCRIPT_HUB_TRACEBACK": "1"})
    assert "Traceback" in loud.stderr and loud.stderr.endswith("error: nope\n")


def test_factory_failure_is_one_line():
    def create_app(config=None):
        raise FileNotFoundError(f"no such config: {config}")

    manager = Manager(create_app, with_default_commands=False)
    manager.add_option("-c", dest="config")
    manager.command(lambda: None)
    result = runner.invoke(manager, ["-c", "x.cfg", "<lambda>"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the app factory test_factory_failure_is_one_line.<locals>.create_app() failed: "
        "FileNotFoundError: no such config: x.cfg\n"
    )


def test_no_app_at_all_is_one_line():
    manager = Manager(with_default_commands=False)
    manager.command(lambda: None)
    result = runner.invoke(manager, ["<lambda>"], env={"FLASK_APP": None})
    assert result.exit_code == 1
    assert "no application: pass one to Manager(app)" in result.stderr


@pytest.mark.parametrize(
    "spec", ["apps_mod:create_app", "apps_mod:app", "apps_mod", "apps_mod:make('z')"]
)
def test_app_import_strings(write, project, monkeypatch, spec):
    write(
        "apps_mod.py",
        """
        from flask import Flask

        app = Flask("instance")

        def create_app(config=None):
            return Flask(f"factory-{config}")

        def make(name):
            return Flask(name)
    """,
    )
    monkeypatch.syspath_prepend(str(project))
    manager = Manager(spec, with_default_commands=False)
    manager.add_option("-c", dest="config")

    @manager.command
    def name():
        print(current_app.name)

    if spec == "apps_mod:create_app":
        assert runner.invoke(manager, ["-c", "c", "name"]).stdout == "factory-c\n"
        return
    expected = {"apps_mod:make('z')": "z"}.get(spec, "instance")
    assert runner.invoke(manager, ["name"]).stdout == f"{expected}\n"
    # the app is ready (an instance, or a factory Flask called): -c would be ignored, so it fails
    ignored = runner.invoke(manager, ["-c", "c", "name"])
    assert (ignored.exit_code, ignored.stdout) == (2, "")
    assert "error: manage.py: -c cannot be applied" in ignored.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        # flask --app's messages (flask.cli)
        ("missing_mod:app", "error: Could not import 'missing_mod'."),
        ("json:nothing", "error: Failed to find attribute 'nothing' in 'json'."),
        (
            "json",
            "error: Failed to find Flask application or factory in module 'json'. "
            "Use 'json:name' to specify one.",
        ),
    ],
)
def test_bad_import_strings(spec, message):
    manager = Manager(spec, with_default_commands=False)
    manager.command(lambda: None)
    result = runner.invoke(manager, ["<lambda>"])
    assert result.exit_code == 1 and message in result.stderr


def test_flask_app_env_used_when_no_app(write, project, monkeypatch):
    write("envapp.py", "from flask import Flask\napp = Flask('from-env')\n")
    monkeypatch.syspath_prepend(str(project))
    manager = Manager(with_default_commands=False)
    manager.command(lambda: print(current_app.name))
    assert runner.invoke(manager, ["<lambda>"], env={"FLASK_APP": "envapp"}).stdout == "from-env\n"


def test_version():
    proc = subprocess.run(
        [sys.executable, "-m", "flask_script_hub", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"flask-script-hub {__version__} (Flask 3.")


def test_module_runs_commands_for_flask_app(write, project):
    write("envapp.py", "from flask import Flask\napp = Flask('from-env')\n")
    proc = subprocess.run(
        [sys.executable, "-m", "flask_script_hub", "shell", "-c", "print(app.name)"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FLASK_APP": "envapp", "PYTHONPATH": str(project)},
    )
    assert (proc.returncode, proc.stdout.strip()) == (0, "from-env"), proc.stderr


def test_h_help_with_default_runserver(write, manage):
    write(
        "manage.py",
        """
        from flask import Flask
        from flask_script_hub import Manager

        manager = Manager(Flask(__name__))
        manager.help_args = ("-h", "-?", "--help")

        if __name__ == "__main__":
            manager.run()
    """,
    )
    assert manage("-h").stdout.startswith("usage: manage.py")
    help_text = manage("runserver", "-?")
    assert help_text.returncode == 0
    assert "-h, --host HOST" in metavar_once(help_text.stdout)


def test_shell_decorator_and_plugin_shell_context(write, manage, make_dist):
    make_dist("fsh-greet", {"greet": "fsh_greet.plugin"}, {"fsh_greet/plugin.py": GREET})
    write(
        "manage.py",
        """
        from flask import Flask
        from flask_script_hub import Manager

        manager = Manager(Flask("shelled"))

        @manager.shell
        def make_shell_context(app):
            return dict(app=app, answer=42)

        if __name__ == "__main__":
            manager.run()
    """,
    )
    run = manage("shell", "-c", "print(app.name, answer, greeting)")
    assert (run.returncode, run.stdout) == (0, "shelled 42 hi\n"), run.stderr
