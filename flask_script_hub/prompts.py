"""Prompts that ask the user for input on the command line.

The four helpers of Flask-Script 2.0 (``prompt``, ``prompt_bool``, ``prompt_pass``,
``prompt_choices``) with the same signatures and defaults. They read ``sys.stdin`` and never hang:
at end of input they return the default, or raise :class:`~flask_script_hub.InvalidCommand` when
there is none, so a script run with ``< /dev/null`` fails with one clear line. Without any stdin
(closed with ``<&-``: Python starts with ``sys.stdin`` set to ``None``) there is no user to answer
and no end of input to stand for one: they raise :class:`~flask_script_hub.InvalidCommand` ("stdin
is closed"), defaults or not, so the command stops with one line and exit status 1 before doing
anything it asked about (Flask-Script 2.0.6 failed there with ``RuntimeError: lost sys.stdin``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .commands import InvalidCommand

__all__ = ["prompt", "prompt_bool", "prompt_choices", "prompt_pass", "stdin_is_terminal"]

YES_CHOICES = ("y", "yes", "1", "on", "true", "t")
NO_CHOICES = ("n", "no", "0", "off", "false", "f")


def _write(text: str) -> None:
    """Write to ``sys.stdout``, flushing it if it can be (a minimal stream has no ``flush``)."""
    out = sys.stdout
    if out is None:  # pythonw, or stdout closed by the caller
        return
    out.write(text)
    flush = getattr(out, "flush", None)
    if callable(flush):
        flush()


def _stdin_open() -> bool:
    """Whether there is a ``sys.stdin`` to read (``None`` when fd 0 was closed at start-up)."""
    stdin = sys.stdin
    return stdin is not None and not getattr(stdin, "closed", False)


def stdin_is_terminal() -> bool:
    """Whether stdin is an open terminal, where a user can answer a confirmation.

    For destructive commands, which refuse without ``--yes`` otherwise.

    :returns: ``False`` when stdin is closed (``<&-``), redirected from a file or a pipe, or
        replaced by an object without ``isatty``.
    """
    if not _stdin_open():
        return False
    isatty = getattr(sys.stdin, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def _require_stdin(name: str) -> None:
    """Refuse to ask ``name`` without a stdin at all (closed before start-up, ``<&-``)."""
    if not _stdin_open():
        raise InvalidCommand(f"cannot ask {name.strip()!r}: stdin is closed")


def _read(text: str, *, hidden: bool = False) -> str | None:
    """Show ``text`` and read one line; ``None`` at end of input or without a stdin."""
    if not _stdin_open():  # closed while asking: end of input
        _write(text + "\n")
        return None
    isatty = getattr(sys.stdin, "isatty", None)
    if hidden and callable(isatty) and isatty():
        import getpass

        try:
            return getpass.getpass(text)
        except EOFError:
            return None
    _write(text)
    try:
        line = sys.stdin.readline()
    except (OSError, ValueError):  # a stdin closed or unreadable while asking: end of input
        line = ""
    if not line:
        _write("\n")
        return None
    return line.rstrip("\r\n")


def _ask(name: str, text: str, default: str | None, hidden: bool) -> str:
    """Ask until the answer is not empty; an empty answer or end of input gives ``default``."""
    while True:
        answer = _read(text, hidden=hidden)
        if answer:
            return answer
        if default is not None:
            return default
        if answer is None:
            raise InvalidCommand(f"no answer to {name.strip()!r}: end of input")


def prompt(name: str, default: str | None = None) -> str:
    """Ask for a line of text; an empty answer gives ``default``.

    Follows Flask-Script 2.0's ``prompt``: the prompt reads ``name [default]: `` and is asked again
    while the answer is empty and there is no default.

    :param name: the prompt text.
    :param default: returned for an empty answer or at end of input.
    :returns: the answer, without its line ending.
    :raises InvalidCommand: at end of input when there is no default; when stdin is closed.
    """
    _require_stdin(name)
    text = name + (f" [{default}]" if default else "") + (" " if name.endswith("?") else ": ")
    return _ask(name, text, default, hidden=False)


def prompt_pass(name: str, default: str | None = None) -> str:
    """Ask for a secret without echoing it (``getpass``) when stdin is a terminal.

    Follows Flask-Script 2.0's ``prompt_pass``; from a pipe the line is read as it is, so scripts
    and tests can answer.

    :param name: the prompt text.
    :param default: returned for an empty answer or at end of input.
    :returns: the answer.
    :raises InvalidCommand: at end of input when there is no default; when stdin is closed.
    """
    _require_stdin(name)
    text = name + (" " if name.endswith("?") else ": ")
    return _ask(name, text, default, hidden=True)


def prompt_bool(
    name: str,
    default: bool = False,
    yes_choices: Sequence[str] | None = None,
    no_choices: Sequence[str] | None = None,
) -> bool:
    """Ask a yes/no question.

    Follows Flask-Script 2.0's ``prompt_bool``: answers are compared case-insensitively with
    ``yes_choices`` (default ``y, yes, 1, on, true, t``) and ``no_choices`` (default
    ``n, no, 0, off, false, f``); anything else asks again. The prompt shows ``[y/N]`` or ``[Y/n]``.

    :param name: the question.
    :param default: the answer for an empty line and at end of input.
    :returns: ``True`` for yes.
    :raises InvalidCommand: when stdin is closed.
    """
    _require_stdin(name)
    yes = tuple(c.lower() for c in (yes_choices or YES_CHOICES))
    no = tuple(c.lower() for c in (no_choices or NO_CHOICES))
    hint = f"{yes[0].upper()}/{no[0]}" if default else f"{yes[0]}/{no[0].upper()}"
    text = f"{name} [{hint}]: "
    while True:
        answer = _read(text)
        if answer is None or not answer.strip():
            return default
        answer = answer.strip().lower()
        if answer in yes:
            return True
        if answer in no:
            return False


def prompt_choices(
    name: str,
    choices: Sequence[str | tuple[str, str]],
    default: str | None = None,
    no_choice: Sequence[str] = ("none",),
) -> str | None:
    """Ask for one of a set of choices.

    Follows Flask-Script 2.0's ``prompt_choices``: ``choices`` holds strings or ``(key, label)``
    pairs, shown as ``label [key]``; answers are compared case-insensitively with the keys; an
    answer in ``no_choice`` returns ``None``; anything else asks again.

    :param name: the prompt text.
    :param choices: the accepted keys, as strings or ``(key, label)`` tuples.
    :param default: the answer for an empty line and at end of input.
    :param no_choice: answers that mean "none of them".
    :returns: the chosen key (lower case, as the original), or ``None`` for a "no choice" answer.
    :raises InvalidCommand: at end of input when there is no default; when stdin is closed.
    """
    _require_stdin(name)
    keys: list[str] = []
    shown: list[str] = []
    for choice in choices:
        if isinstance(choice, str):
            keys.append(choice.lower())
            shown.append(choice)
        else:
            keys.append(choice[0].lower())
            shown.append(f"{choice[1]} [{choice[0]}]")
    text = f"{name} - ({', '.join(shown)})"
    nothing = {c.lower() for c in no_choice}
    while True:
        answer = prompt(text, default).strip().lower()
        if answer in nothing:
            return None
        if answer in keys:
            return answer
        if default is not None and answer == default.lower():
            return answer
        _write(f"Please choose one of: {', '.join(keys)}\n")
