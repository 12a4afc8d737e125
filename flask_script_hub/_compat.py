"""Every use of another library's private API in the core, in one place, each with a guard.

Each entry names the upstream versions it targets and checks the shape it relies on; when the
shape differs (a new release moved or renamed it), it warns once with :class:`CompatWarning`
and falls back to the library's documented behaviour, never to an error. ``tests/
test_compat_guards.py`` runs every fallback with the private attribute taken away.

* :mod:`argparse` of Python 3.11 to 3.13: ``ArgumentParser._actions``,
  ``_option_string_actions``, ``_get_formatter()``, ``_action_groups`` and
  ``_mutually_exclusive_groups`` (stable since Python 3.2), for the manager's help (its usage
  line ends with ``COMMAND ...``; the command lists are formatted as argparse formats options)
  and for telling which manager options were given. Fallback: argparse's own ``format_help``
  with the command lists appended as plain text; no "manager options go before the command" hint.
* Werkzeug 3.0 and 3.1: ``werkzeug._reloader.reloader_loops`` (reloader type name -> loop
  class), for ``runserver``'s reloader that survives a failing child. Fallback: Werkzeug's own
  reloader (the server stops when the reloaded code fails to import).

* argcomplete 3.1 to 3.x: ``argcomplete.split_line`` (its shell lexer, ``argcomplete.lexers``,
  re-exported by the package but not documented), to split ``COMP_LINE`` as argcomplete does.
  Fallback: :func:`shlex.split` of the line before the cursor (an unclosed quote completes
  nothing).

Replaced by public code (no entry needed): ``flask.cli.show_server_banner`` (``runserver``
prints the same two lines itself).
"""

from __future__ import annotations

import argparse
import shlex
import warnings
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CompatWarning",
    "completed_words",
    "format_parser_help",
    "format_parser_usage",
    "parser_actions",
    "parser_option_strings",
    "reloader_loops",
]

#: The versions each guarded entry was written against, for the warning.
ARGPARSE_TARGET = "argparse of Python 3.11-3.13"
WERKZEUG_TARGET = "Werkzeug 3.0-3.1"
ARGCOMPLETE_TARGET = "argcomplete 3.1-3.x"

_warned: set[str] = set()


class CompatWarning(RuntimeWarning):
    """A library's private API differs from the version flask-script-hub targets; a documented
    fallback is used instead."""


def _fallback(what: str, target: str, consequence: str, stacklevel: int = 3) -> None:
    """Warn once per process that ``what`` differs from ``target`` and say what is lost (the
    warning points at the caller of the guarded function: ``stacklevel`` counts from here)."""
    if what in _warned:
        return
    _warned.add(what)
    warnings.warn(
        f"flask-script-hub: {what} is not as in {target}; {consequence}",
        CompatWarning,
        stacklevel=stacklevel,
    )


# -- argparse -----------------------------------------------------------------------------------
def parser_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The actions of ``parser`` in the order they were added (``[]`` if unknown).

    Fallback: ``[]``, so no manager option is reported as given on the command line.
    """
    actions = _parser_attribute(
        parser,
        "_actions",
        list,
        "options given to a manager whose app cannot take them are not reported",
    )
    return [] if actions is None else list(actions)


def parser_option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings ``parser`` accepts (``{"-c", "--config", ...}``; empty if unknown).

    Fallback: an empty set, so usage errors lose the "manager options go before the command"
    hint.
    """
    strings = _parser_attribute(
        parser,
        "_option_string_actions",
        dict,
        "usage errors do not say which manager an option belongs to",
    )
    return set() if strings is None else set(strings)


def _parser_attribute(
    parser: argparse.ArgumentParser, name: str, kind: type, consequence: str
) -> Any:
    """``parser.<name>`` if it is a ``kind``, else ``None`` (warning once: ``consequence``)."""
    value = getattr(parser, name, None)
    if isinstance(value, kind):
        return value
    _fallback(f"argparse.ArgumentParser.{name}", ARGPARSE_TARGET, consequence, stacklevel=4)
    return None


def _formatter_parts(parser: argparse.ArgumentParser) -> tuple[Any, list[Any], list[Any]] | None:
    """``(formatter, action groups, mutually exclusive groups)`` or ``None`` if the shape
    differs."""
    get_formatter = getattr(parser, "_get_formatter", None)
    groups = getattr(parser, "_action_groups", None)
    exclusive = getattr(parser, "_mutually_exclusive_groups", None)
    if (
        not callable(get_formatter)
        or not isinstance(groups, list)
        or not isinstance(exclusive, list)
        or not all(isinstance(getattr(g, "_group_actions", None), list) for g in groups)
    ):
        _fallback(
            "argparse.ArgumentParser's help formatting",
            ARGPARSE_TARGET,
            "manager help uses argparse's plain layout",
        )
        return None
    return get_formatter(), groups, exclusive


def format_parser_usage(
    parser: argparse.ArgumentParser, usage_actions: Sequence[argparse.Action]
) -> str | None:
    """The usage of ``parser`` with ``usage_actions`` in place of its own actions.

    :returns: the usage text, or ``None`` when argparse's shape differs (the caller then uses
        ``argparse.ArgumentParser.format_usage``).
    """
    parts = _formatter_parts(parser)
    if parts is None:
        return None
    formatter, _, exclusive = parts
    formatter.add_usage(parser.usage, usage_actions, exclusive)
    return str(formatter.format_help())


def format_parser_help(
    parser: argparse.ArgumentParser,
    usage_actions: Sequence[argparse.Action],
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
) -> str:
    """The help of ``parser``: usage with ``usage_actions``, its options, then ``sections``.

    :param sections: ``[(title, [(name, one-line summary), ...]), ...]``; each is laid out as
        argparse lays out options (names in a column, summaries wrapped to the terminal).
    :returns: the help text. Fallback: ``parser.format_help()`` (argparse's documented help,
        whose usage line lacks ``COMMAND ...``) followed by the sections as plain text.
    """
    parts = _formatter_parts(parser)
    if parts is None:
        lines = [argparse.ArgumentParser.format_help(parser).rstrip("\n")]
        for title, rows in sections:
            if rows:
                lines += ["", f"{title}:", *(f"  {name:<20} {text}" for name, text in rows)]
        return "\n".join(lines) + "\n"
    formatter, groups, exclusive = parts
    formatter.add_usage(parser.usage, usage_actions, exclusive)
    formatter.add_text(parser.description)
    for group in groups:
        formatter.start_section(group.title)
        formatter.add_text(group.description)
        formatter.add_arguments(group._group_actions)
        formatter.end_section()
    for title, rows in sections:
        if not rows:
            continue
        formatter.start_section(title)
        formatter.add_arguments(
            [
                argparse.Action([], dest=name, metavar=name, help=text.replace("%", "%%"))
                for name, text in rows
            ]
        )
        formatter.end_section()
    formatter.add_text(parser.epilog)
    return str(formatter.format_help())


# -- Werkzeug -----------------------------------------------------------------------------------
def reloader_loops() -> dict[str, Any] | None:
    """Werkzeug's registry of reloader loops (``{"auto": ..., "stat": ..., "watchdog": ...}``).

    The registry is looked up by name in the server process and in its reloaded child, so a
    loop added to it is usable as ``run_simple(reloader_type=name)``.

    :returns: the registry (a ``dict`` to add to), or ``None`` when Werkzeug's shape differs
        (no ``werkzeug._reloader.reloader_loops`` dict of classes with ``restart_with_reloader``
        and ``run``): the caller then keeps Werkzeug's own reloader.
    """
    try:
        from werkzeug import _reloader
    except ImportError:
        loops = None
    else:
        loops = getattr(_reloader, "reloader_loops", None)
    if not isinstance(loops, dict) or not all(
        isinstance(loop, type)
        and callable(getattr(loop, "restart_with_reloader", None))
        and callable(getattr(loop, "run", None))
        for loop in loops.values()
    ):
        _fallback(
            "werkzeug._reloader.reloader_loops",
            WERKZEUG_TARGET,
            "runserver uses Werkzeug's own reloader, which stops when the reloaded code fails",
        )
        return None
    return loops


# -- argcomplete --------------------------------------------------------------------------------
def completed_words(line: str, point: int) -> list[str]:
    """The words of a command line before the word being completed, as argcomplete splits it.

    :param line: the shell's ``COMP_LINE``.
    :param point: the cursor's offset in it (``COMP_POINT``).
    :returns: the complete words, program name first (``list[str]``).
    """
    import argcomplete

    split_line = getattr(argcomplete, "split_line", None)
    if callable(split_line):
        try:
            words = split_line(line, point)[3]
        except (TypeError, IndexError, ValueError):
            words = None
        if isinstance(words, list):
            return [str(word) for word in words]
    _fallback(
        "argcomplete.split_line",
        ARGCOMPLETE_TARGET,
        "completion splits the line with shlex (quoted words may complete less)",
    )
    head = line[:point]
    complete, _, _ = head.rpartition(" ") if not head.endswith(" ") else (head, "", "")
    try:
        return shlex.split(complete)
    except ValueError:  # an unclosed quote
        return []
