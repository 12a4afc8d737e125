"""Parsing one command line and rendering managers' help, on argparse.

A manager's parser (:class:`ManagerParser`) holds its options, then the command word
(:data:`COMMAND_DEST`) and the rest of the line (:data:`ARGS_DEST`), which the next level parses:
the path root -> sub-managers -> command is walked one level at a time
(:meth:`flask_script_hub.Manager.parse`). This module also words what the user sees when the
line is wrong: the "unrecognized arguments" hints for Flask-Script habits and the unknown-command
error with argparse's wording and a "did you mean" suggestion.

The command lists of a manager's ``--help`` (its commands, the plugin namespaces, the app's
commands) are computed only when help is printed: listing plugin namespaces reads every
plugin's metadata, which running a command never needs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._compat import (
    format_parser_help,
    format_parser_usage,
    parser_actions,
    parser_option_strings,
)
from .commands import first_paragraph

if TYPE_CHECKING:
    from .manager import Manager
    from .plugins import PluginInfo

__all__ = [
    "ARGS_DEST",
    "COMMAND_DEST",
    "DEFAULT_HELP_ARGS",
    "ManagerParser",
    "ParsedLine",
    "Sections",
    "parse_manager_options",
    "plugin_summary",
    "summary",
    "unknown_command_message",
    "unrecognized_message",
]

#: Option strings that print help when no manager sets its own ``help_args`` (Flask-Script
#: 2.0.2; ``-h`` is left free for ``--host``).
DEFAULT_HELP_ARGS: tuple[str, ...] = ("-?", "--help")
#: Destination of a manager parser's command word (not a valid identifier: never an option's).
COMMAND_DEST = "==command=="
#: Destination of the words after the command word, left for the next level to parse.
ARGS_DEST = "==args=="

#: The command lists of a manager's help: ``[(title, [(name, one-line summary), ...]), ...]``.
Sections = list[tuple[str, list[tuple[str, str]]]]


class ManagerParser(argparse.ArgumentParser):
    """A manager's parser: its options, then ``COMMAND ...``, and command lists in the help.

    Takes the arguments of :class:`argparse.ArgumentParser`, plus:

    :param sections: called when the help is formatted (and only then) to give the command lists
        shown after the options (:data:`Sections`); ``None``: none.
    """

    def __init__(self, *args: Any, sections: Callable[[], Sections] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sections_factory = sections

    @property
    def sections(self) -> Sections:
        """The command lists of the help, computed now (plugin metadata is read for the root)."""
        return self.sections_factory() if self.sections_factory is not None else []

    def usage_actions(self) -> list[argparse.Action]:
        """The actions shown in the usage line: the options, then ``COMMAND ...``."""
        shown = [a for a in parser_actions(self) if a.dest not in (COMMAND_DEST, ARGS_DEST)]
        return [
            *shown,
            argparse.Action([], dest=COMMAND_DEST, metavar="COMMAND"),
            argparse.Action([], dest=ARGS_DEST, nargs=argparse.REMAINDER),
        ]

    def format_usage(self) -> str:
        text = format_parser_usage(self, self.usage_actions())
        return text if text is not None else super().format_usage()

    def format_help(self) -> str:
        return format_parser_help(self, self.usage_actions(), self.sections)


class ParsedLine:
    """What :meth:`Manager.parse <flask_script_hub.Manager.parse>` found on a command line.

    :ivar path: the managers entered, root first, each with its parsed options
        (``[(manager, {dest: value}), ...]``, defaults filled in).
    :ivar names: the command words, as typed (``["db", "populate"]``).
    :ivar command: the command found (a :class:`~flask_script_hub.Command`, a mounted click
        command, or any object with ``create_parser``), or ``None`` when the line names none.
    :ivar args: the words after the command word, for the command's own parser.
    :ivar prog: the program name with the command words (``"manage.py db populate"``).
    :ivar help_args: the help option strings in force at the command's level.
    :ivar parser: the parser of the last manager entered (its ``error`` reports usage errors).
    :ivar given: the manager options given on the line: ``(manager, prog, option strings)``.
    :ivar manager_parsers: ``(prog, parser)`` of each manager entered, for usage hints.
    """

    # a plain class: dataclasses imports inspect, which costs start-up (python -X importtime)
    def __init__(self, prog: str) -> None:
        self.path: list[tuple[Manager, dict[str, Any]]] = []
        self.names: list[str] = []
        self.command: Any = None
        self.args: list[str] = []
        self.prog = prog
        self.help_args: Sequence[str] = DEFAULT_HELP_ARGS
        self.parser: argparse.ArgumentParser | None = None
        self.given: list[tuple[Manager, str, list[str]]] = []
        self.manager_parsers: list[tuple[str, argparse.ArgumentParser]] = []

    def command_help_args(self) -> Sequence[str]:
        """The help option strings of the command: its own ``help_args``, else the manager's."""
        own = getattr(self.command, "help_args", None)
        return own if own is not None else self.help_args

    def parse_command_args(self) -> tuple[list[Any], dict[str, Any]]:
        """Parse the command's own arguments with its parser.

        :returns: ``(positional, keywords)`` to call the command with: ``positional`` holds the
            unparsed words (a list) for a command with ``capture_all_args``, else nothing.
        :raises SystemExit: code 2 with argparse's message (plus a hint when a manager option
            follows the command), or 0 after printing help.
        """
        help_args = self.command_help_args()
        parser = self.command.create_parser(self.prog, help_args)
        namespace, remaining = parser.parse_known_args(self.args)
        positional: list[Any] = []
        if getattr(self.command, "capture_all_args", False):
            positional.append(remaining)
        elif remaining:
            parser.error(unrecognized_message(remaining, help_args, self.manager_parsers))
        return positional, vars(namespace)


def summary(command: object) -> str:
    """One line describing a command, a sub-manager or a click command, without running anything.

    The first paragraph of its ``help`` (for a manager, else its ``description``), else of its
    docstring, reflowed (argparse wraps it to the terminal width).
    """
    for attribute in ("help", "description"):
        text = getattr(command, attribute, None)
        if isinstance(text, str) and text.strip():
            return first_paragraph(text)
    if hasattr(command, "help"):  # declares its help, and it is empty
        return ""
    return first_paragraph(command.__doc__ or "")


def plugin_summary(info: PluginInfo) -> str:
    """The line of a plugin namespace in the root's help: its summary and distribution, or its
    status and error when it cannot be used."""
    if info.status in ("error", "conflict", "disabled"):
        return f"[{info.status}] {info.error}"
    origin = f"({info.distribution})" if info.distribution else ""
    return f"{info.summary} {origin}".strip()


def parse_manager_options(
    parser: argparse.ArgumentParser, args: list[str], help_args: Sequence[str]
) -> tuple[argparse.Namespace, list[list[str]]]:
    """Parse a manager's options; also say which were given on the command line.

    argparse sets a default only for a destination the namespace does not hold yet, so the
    namespace starts with a marker in every destination: those still marked were not given.

    :returns: ``(namespace, given)``: the parsed namespace (defaults filled in) and the option
        strings of each option given (``[["-c", "--config"], ...]``).
    :raises SystemExit: code 2 with argparse's message for an unknown option.
    """
    namespace, extras = parser.parse_known_args(args)
    if extras:
        parser.error(unrecognized_message(extras, help_args, []))
    actions = [a for a in parser_actions(parser) if a.option_strings and a.dest != "help"]
    unset = object()
    try:
        marked, _ = parser.parse_known_args(
            args, argparse.Namespace(**{a.dest: unset for a in actions})
        )
        given = [list(a.option_strings) for a in actions if getattr(marked, a.dest) is not unset]
    except (TypeError, AttributeError):
        # an action that updates the current value (append, count) cannot start from a marker:
        # compare with the defaults instead
        given = [
            list(a.option_strings)
            for a in actions
            if getattr(namespace, a.dest, a.default) != a.default
        ]
    return namespace, given


def unrecognized_message(
    extras: list[str],
    help_args: Sequence[str],
    managers: Sequence[tuple[str, argparse.ArgumentParser]],
) -> str:
    """argparse's "unrecognized arguments" message, with a hint for Flask-Script habits.

    :param extras: the words no parser took.
    :param help_args: the help option strings in force.
    :param managers: ``(prog, parser)`` of the managers entered: a manager option given after
        the command gets "manager options go before the command".
    """
    message = f"unrecognized arguments: {' '.join(extras)}"
    flags = [e.partition("=")[0] for e in extras if e.startswith("-")]
    for flag in flags:
        for prog, parser in managers:
            if flag in parser_option_strings(parser) and flag not in help_args:
                return (
                    f"{message} ({flag} is an option of {prog!r}: manager options go before "
                    f"the command, as in '{prog} {flag} ... COMMAND')"
                )
    if any(flag in ("-h", "--help") and flag not in help_args for flag in flags):
        return f"{message} (help is {' or '.join(help_args) or 'not available here'})"
    return message


def unknown_command_message(name: str, choices: Iterable[str]) -> str:
    """argparse's "invalid choice" message for a command word, with a "did you mean" hint."""
    import difflib  # only on this error path: +1.5 ms at start-up (python -X importtime)

    choices = list(choices)
    message = f"argument COMMAND: invalid choice: {name!r} (choose from {', '.join(choices)})"
    close = difflib.get_close_matches(name, choices, n=1)
    return message + (f"; did you mean {close[0]!r}?" if close else "")
