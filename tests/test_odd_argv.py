"""No argv, however odd, makes a manager with nested sub-managers show a traceback."""

from __future__ import annotations

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_script_hub import Command, InvalidCommand, Manager, Option
from flask_script_hub.testing import ManagerRunner


def build() -> Manager:
    manager = Manager(lambda config=None: Flask("fuzz"), with_default_commands=False)
    manager.add_option("-c", "--config", dest="config")

    @manager.command
    def hello(name, count: int = 1, loud=False):
        "Say hello"
        print(name * count)

    class Fail(Command):
        option_list = (Option("--why", choices=["a", "b"]),)

        def run(self, why=None):
            raise InvalidCommand(f"failed because {why}")

    manager.add_command("fail", Fail())
    sub = Manager(lambda app, **kw: None, usage="Sub")
    sub.add_option("-x", "--extra", type=int)
    leaf = Manager(usage="Leaf")

    @leaf.option("-n", "--number", type=float, default=0.0)
    def deep(number):
        return int(number) % 3

    sub.add_command("leaf", leaf)
    sub.add_command("hello", manager._commands["hello"])
    manager.add_command("sub", sub)
    return manager


WORDS = [
    "hello",
    "fail",
    "sub",
    "leaf",
    "deep",
    "-c",
    "--config",
    "-x",
    "--extra",
    "-n",
    "--number",
    "--why",
    "a",
    "b",
    "-?",
    "--help",
    "--loud",
    "-l",
    "--count",
    "3",
    "x",
    "--",
    "-",
    "1.5",
    "=",
    "é",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=7))
def test_no_traceback_escapes(argv):
    manager = build()
    result = ManagerRunner().invoke(manager, argv)
    assert result.exception is None, (argv, result.exception)
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert "error:" in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("error: ")
