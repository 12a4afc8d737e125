"""Each guard of ``flask_script_hub/_compat.py`` falls back to documented behaviour, for real.

Every test runs a real ``manage.py`` in a subprocess whose ``sitecustomize`` (on its
``PYTHONPATH``) reshapes the upstream private API the way a new release could: the private
attribute is gone or is no longer the type the guard expects, while the library's own public
behaviour keeps working. The command must still do its job, with one ``CompatWarning`` saying
what was lost.
"""

from __future__ import annotations

import textwrap

import pytest
import test_server
from argparse_layout import metavar_once

# the runserver harness of test_server.py, as fixtures of this module too
app_dir = test_server.app_dir
runserver = test_server.runserver

MANAGE = """\
# PYTHON_ARGCOMPLETE_OK
from flask import Flask
from flask_script_hub import Manager

def create_app(config=None):
    return Flask("guarded")

manager = Manager(create_app)
manager.add_option("-c", "--config", dest="config")

@manager.command
def hello(name="world"):
    "Say hello"
    print("hello", name)

if __name__ == "__main__":
    manager.run()
"""

NO_PLUGINS = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


@pytest.fixture
def reshape(site):
    """Write ``sitecustomize.py`` (run before manage.py) with the given patch."""

    def reshape(source: str) -> None:
        (site / "sitecustomize.py").write_text(textwrap.dedent(source))

    return reshape


@pytest.fixture
def reshaped(reshape, write):
    """:func:`reshape`, with a manage.py of one command and one manager option."""
    write("manage.py", MANAGE)
    return reshape


def _warned(stderr: str, what: str) -> bool:
    return "CompatWarning" in stderr and what in stderr


def test_help_without_argparse_formatter_internals(reshaped, manage):
    reshaped(
        """
        import argparse

        init = argparse.ArgumentParser.__init__

        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self._action_groups = tuple(self._action_groups)  # no longer a list

        argparse.ArgumentParser.__init__ = __init__
        """
    )
    run = manage("--help", env=NO_PLUGINS)
    assert run.returncode == 0, run.stderr
    assert "-c, --config CONFIG" in metavar_once(run.stdout)
    assert "commands:" in run.stdout and "hello" in run.stdout and "Say hello" in run.stdout
    assert _warned(run.stderr, "help formatting")
    usage = manage("hello", "--nope", env=NO_PLUGINS)
    assert usage.returncode == 2 and "unrecognized arguments: --nope" in usage.stderr


def test_usage_hint_without_argparse_option_table(reshaped, manage):
    normal = manage("hello", "-c", "dev", env=NO_PLUGINS)
    assert normal.returncode == 2 and "manager options go before the command" in normal.stderr
    reshaped(
        """
        import argparse
        from types import MappingProxyType

        parse = argparse.ArgumentParser.parse_known_args

        def parse_known_args(self, *args, **kwargs):
            # read-only once the arguments are added: no longer a dict
            self._option_string_actions = MappingProxyType(dict(self._option_string_actions))
            return parse(self, *args, **kwargs)

        argparse.ArgumentParser.parse_known_args = parse_known_args
        """
    )
    run = manage("hello", "-c", "dev", env=NO_PLUGINS)
    assert run.returncode == 2
    assert "unrecognized arguments: -c dev" in run.stderr
    assert "manager options go before" not in run.stderr
    assert _warned(run.stderr, "_option_string_actions")
    assert manage("-c", "dev", "hello", env=NO_PLUGINS).stdout == "hello world\n"


def test_given_options_without_argparse_action_list(reshaped, manage, write):
    reshaped(
        """
        import argparse

        parse = argparse.ArgumentParser.parse_known_args

        def parse_known_args(self, *args, **kwargs):
            self._actions = tuple(self._actions)  # no longer a list
            return parse(self, *args, **kwargs)

        argparse.ArgumentParser.parse_known_args = parse_known_args
        """
    )
    run = manage("-c", "dev", "hello", "-n", "you", env=NO_PLUGINS)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "hello you\n"
    assert _warned(run.stderr, "_actions")


def test_completion_without_argcomplete_split_line(reshaped, manage, tmp_path):
    reshaped(
        """
        import argcomplete

        del argcomplete.split_line
        """
    )
    out = tmp_path / "completions"
    line = "manage.py hello --n"
    run = manage(
        env={
            **NO_PLUGINS,
            "_ARGCOMPLETE": "2",
            "COMP_LINE": f"python {line}",
            "COMP_POINT": str(len(line) + 7),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
            "_ARGCOMPLETE_IFS": "\n",
        }
    )
    assert run.returncode == 0, run.stderr
    assert out.read_text().split() == ["--name"]
    assert _warned(run.stderr, "argcomplete.split_line")


def test_runserver_reloader_without_werkzeug_loop_registry(reshape, runserver):
    reshape(
        """
        from types import MappingProxyType

        from werkzeug import _reloader

        # still readable by Werkzeug, no longer a dict this project may add to
        _reloader.reloader_loops = MappingProxyType(dict(_reloader.reloader_loops))
        """
    )
    server = runserver("-r")
    assert server.get() == (200, "version 1: hello")
    assert _warned(server.output, "werkzeug._reloader.reloader_loops")
