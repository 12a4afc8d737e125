"""Options read from a command function's signature (``@manager.command``), Python 3 edition."""

from __future__ import annotations

import enum
import pathlib
from typing import Literal

from flask import Flask

from flask_script_hub import Manager
from flask_script_hub.testing import ManagerRunner

runner = ManagerRunner()


class Color(enum.Enum):
    red = "r"
    blue = "b"


def run(func, *args):
    manager = Manager(Flask("sig"), with_default_commands=False)
    manager.command(func)
    return runner.invoke(manager, [func.__name__, *args])


def test_types_from_annotations_and_defaults():
    def convert(
        count: int, ratio=0.5, path: pathlib.Path = pathlib.Path("."), color: Color = Color.red
    ):
        print(repr(count), repr(ratio), repr(path), color.name)

    result = run(convert, "3", "-r", "1.5", "-p", "/tmp", "-c", "blue")
    assert result.stdout == "3 1.5 PosixPath('/tmp') blue\n", result.stderr
    assert run(convert, "3", "-c", "b").stdout.endswith(" blue\n")  # by value too


def test_bad_value_is_a_usage_error():
    def convert(count: int):
        print(count)

    result = run(convert, "three")
    assert result.exit_code == 2
    assert "argument count: invalid int value: 'three'" in result.stderr


def test_enum_error_lists_choices():
    def paint(color: Color = Color.red):
        print(color)

    result = run(paint, "--color", "green")
    assert result.exit_code == 2 and "choose from red, blue" in result.stderr


def test_true_default_gets_no_flag_and_false_default_is_a_flag():
    def flags(verbose=False, color=True):
        print(verbose, color)

    assert run(flags).stdout == "False True\n"
    assert run(flags, "-v", "--no-color").stdout == "True False\n"
    assert run(flags, "--verbose", "--color").stdout == "True True\n"


def test_short_form_skipped_when_letters_collide():
    def collide(name="a", number=1):
        print(name, number)

    assert run(collide, "-n", "x", "--number", "2").stdout == "x 2\n"
    result = run(collide, "-?")
    assert "--number" in result.stdout and "-n NAME" in result.stdout


def test_keyword_only_and_list_and_literal():
    def kw(*, tag: list[str], level: Literal["low", "high"] = "low", ids: list[int] = []):  # noqa: B006
        print(tag, level, ids)

    assert run(kw, "--tag", "a", "b", "--ids", "1", "2").stdout == "['a', 'b'] low [1, 2]\n"
    missing = run(kw)
    assert missing.exit_code == 2 and "required: -t/--tag" in missing.stderr
    assert run(kw, "-t", "x", "-l", "mid").exit_code == 2


def test_varargs_and_underscore_names():
    def copy(*files, dry_run=False, max_size: int | None = None):
        print(list(files), dry_run, max_size)

    assert run(copy, "a", "b", "--dry-run", "--max-size", "5").stdout == "['a', 'b'] True 5\n"
    assert run(copy, "--dry_run").stdout == "[] True None\n"  # Flask-Script spelling still works


def test_command_name_with_underscores_accepts_dashes():
    def recreate_db():
        print("recreated")

    manager = Manager(Flask("x"), with_default_commands=False)
    manager.command(recreate_db)
    assert runner.invoke(manager, ["recreate_db"]).stdout == "recreated\n"
    assert runner.invoke(manager, ["recreate-db"]).stdout == "recreated\n"


def test_int_return_value_is_exit_status():
    def status(code: int = 0):
        return code

    assert run(status, "-c", "3").exit_code == 3
    assert run(status).exit_code == 0
