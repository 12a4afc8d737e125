"""The prompt helpers, driven through stdin as a user (or a script) would answer them."""

from __future__ import annotations

import pytest

from flask_script_hub import InvalidCommand, prompt, prompt_bool, prompt_choices, prompt_pass


@pytest.fixture
def answer(monkeypatch, capsys):
    import io

    def answer(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return answer


def test_prompt_default_and_reask(answer, capsys):
    answer("\n")
    assert prompt("Name", default="joe") == "joe"
    assert capsys.readouterr().out == "Name [joe]: "
    answer("\n\nann\n")
    assert prompt("Name") == "ann"


def test_prompt_end_of_input_without_default_is_a_clear_error(answer):
    answer("")
    with pytest.raises(InvalidCommand, match="no answer to 'Name': end of input"):
        prompt("Name")


@pytest.mark.parametrize(
    ("typed", "default", "expected"),
    [
        ("y\n", False, True),
        ("YES\n", False, True),
        ("off\n", True, False),
        ("\n", True, True),
        ("", False, False),
        ("maybe\nn\n", True, False),
    ],
)
def test_prompt_bool(answer, typed, default, expected):
    answer(typed)
    assert prompt_bool("Sure", default=default) is expected


def test_prompt_bool_custom_choices(answer, capsys):
    answer("ja\n")
    assert prompt_bool("Sicher", yes_choices=["ja"], no_choices=["nein"]) is True
    assert capsys.readouterr().out == "Sicher [ja/NEIN]: "


def test_prompt_pass_from_a_pipe(answer):
    answer("s3cret\n")
    assert prompt_pass("Password") == "s3cret"
    answer("")
    assert prompt_pass("Password", default="x") == "x"


def test_prompt_choices(answer, capsys):
    answer("B\n")
    assert prompt_choices("Color", ["r", ("b", "blue")]) == "b"
    assert "Color - (r, blue [b]): " in capsys.readouterr().out
    answer("none\n")
    assert prompt_choices("Color", ["r", "b"]) is None
    answer("x\nr\n")
    assert prompt_choices("Color", ["r", "b"]) == "r"
    answer("")
    assert prompt_choices("Color", ["r", "b"], default="b") == "b"
    answer("")
    with pytest.raises(InvalidCommand):
        prompt_choices("Color", ["r", "b"])
