"""Shell completion with argcomplete, built for the path being completed only.

``manage.py`` files carry ``# PYTHON_ARGCOMPLETE_OK``; ``eval "$(register-python-argcomplete
manage.py)"`` enables completion in bash (and in zsh after ``autoload -U bashcompinit;
bashcompinit``). Completing a command name reads entry-point metadata only: no plugin module is
imported and the app is never created; completing inside a plugin namespace imports that plugin
alone. Inside a click command or group (a ``flask.commands`` extension, an ``app.cli`` command,
the ``migrate`` namespace) the completions are click's own (``click.shell_completion``), so
click's choices, paths and custom ``shell_complete`` functions work; the app is created only if
one of those asks for it.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._compat import completed_words
from .flask_cli import ClickCommand
from .manager import Manager
from .parsing import ARGS_DEST, COMMAND_DEST, DEFAULT_HELP_ARGS, summary

__all__ = ["autocomplete"]


def _complete_words() -> list[str]:
    """The words before the one being completed, after the program name."""
    line = os.environ.get("COMP_LINE", "")
    point = int(os.environ.get("COMP_POINT", len(line)))
    words = completed_words(line, point)
    start = int(os.environ.get("_ARGCOMPLETE", "1"))
    return list(words[start:])


class _ClickTail:
    """A click command being completed: the command, its path and the words typed after it."""

    def __init__(self, command: Any, prog: str, words: list[str], help_args: Any) -> None:
        self.command, self.prog, self.words, self.help_args = command, prog, words, help_args

    def completions(self, incomplete: str, manager: Manager) -> list[str]:
        """click's completions for ``incomplete`` after the typed words."""
        from click.shell_completion import ShellComplete
        from flask.cli import ScriptInfo

        from .loading import AppLoader

        loader = AppLoader([(manager, {})], None, manager.load_dotenv)
        ctx_args = {
            "obj": ScriptInfo(create_app=loader, set_debug_flag=False),
            "help_option_names": list(self.help_args),
        }
        shell = ShellComplete(self.command, ctx_args, self.prog, "_FLASK_SCRIPT_HUB_COMPLETE")
        items = shell.get_completions(self.words, incomplete)
        return [item.value for item in items if item.type == "plain"]


def _attach(
    parser: argparse.ArgumentParser, manager: Manager, words: list[str], help_args: Any
) -> _ClickTail | None:
    """Describe ``manager`` to argcomplete for the words typed so far.

    While its command word is being typed, the word is a plain ``choices`` positional (no parser
    per command, no plugin imported); once it is typed, only that command (or sub-manager) gets
    a parser, with its real options.
    """
    for option in manager.get_options():
        option.add_to(parser)
    probe = manager.create_parser("", help_args)
    try:
        namespace, _ = probe.parse_known_args(words)
        name, rest = getattr(namespace, COMMAND_DEST), getattr(namespace, ARGS_DEST)
    except SystemExit:
        name, rest = None, []
    target = None
    if name is not None:
        try:
            target = manager.find_command(name)
        except Exception:  # a broken plugin completes nothing
            target = None
    if target is None:
        parser.add_argument(COMMAND_DEST, metavar="COMMAND", choices=manager.command_names())
        return None
    subparsers = parser.add_subparsers(dest=COMMAND_DEST, metavar="COMMAND")
    own_help = target.help_args if target.help_args is not None else help_args
    if isinstance(target, Manager):
        sub = subparsers.add_parser(name, add_help=False, help=summary(target))
        return _attach(sub, target, rest, own_help)
    if isinstance(target, ClickCommand):
        subparsers.add_parser(name, add_help=False, help=summary(target))
        return _ClickTail(target.command, name, rest, own_help)
    else:
        real = target.create_parser(name, own_help)
        subparsers.add_parser(name, add_help=False, parents=[real], help=summary(target))
    return None


def autocomplete(manager: Manager, prog: str) -> None:
    """Answer argcomplete's request for ``manager`` and exit (argcomplete exits the process).

    :param manager: the root manager.
    :param prog: the program name.
    """
    import argcomplete

    help_args = manager.help_args or DEFAULT_HELP_ARGS
    parser = argparse.ArgumentParser(prog=prog, add_help=False)
    parser.add_argument(*help_args, action="help")
    tail = _attach(parser, manager, _complete_words(), help_args)
    if tail is None:
        argcomplete.autocomplete(parser, always_complete_options=False)
        return

    from argcomplete.finders import CompletionFinder

    class ClickFinder(CompletionFinder):
        """argcomplete's finder, with click's completions for the click command's words."""

        def collect_completions(
            self, active_parsers: Any, parsed_args: Any, cword_prefix: str
        ) -> list[str]:
            assert tail is not None
            return tail.completions(cword_prefix, manager)

    ClickFinder()(parser, always_complete_options=False)
