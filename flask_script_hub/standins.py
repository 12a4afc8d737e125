"""click stand-ins of manage.py commands, for click's shell completion under ``flask``.

``flask <namespace> ...`` runs through ``manage.py``'s argparse parsers
(:class:`~flask_script_hub.namespaces.NamespaceGroup`), but ``flask``'s shell completion is
click's (``_FLASK_COMPLETE=bash_complete``), which walks click commands and parameters. The
stand-ins here describe a manager, its sub-managers and its commands to click, as argparse
declares them, so that click completes what argcomplete completes under ``manage.py``:

* a :class:`~flask_script_hub.Manager` becomes a :class:`ManagerStandIn` (a :class:`click.Group`
  with the manager's options and its commands, looked up with
  :meth:`~flask_script_hub.Manager.find_command` as running the line would);
* a :class:`~flask_script_hub.Command` becomes a :class:`CommandStandIn` (a
  :class:`click.Command` with the options and positionals of the parser it builds,
  :meth:`~flask_script_hub.Command.create_parser`);
* a click command mounted in a manager (:class:`~flask_script_hub.flask_cli.ClickCommand`) is
  itself: its own parameters, types and ``shell_complete`` functions complete.

Stand-ins are never invoked, and they are lazy: a parser is built only for a command on the path
being completed (as ``manage.py``'s argcomplete completion does); naming the commands of a
manager builds none.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import click

from ._compat import parser_actions
from .errors import InvalidCommand
from .flask_cli import ClickCommand
from .manager import Manager
from .parsing import ARGS_DEST, COMMAND_DEST, DEFAULT_HELP_ARGS, summary

__all__ = ["CommandStandIn", "ManagerStandIn", "click_params", "stand_in"]

#: Context settings of every stand-in: a word it does not know never stops completion.
_TOLERANT = {"ignore_unknown_options": True, "allow_extra_args": True}


def stand_in(
    name: str, target: object, help_args: Sequence[str] = DEFAULT_HELP_ARGS
) -> click.Command | None:
    """The click command that completes ``target`` as ``manage.py`` would parse it.

    :param name: the command word (the click command's name).
    :param target: what :meth:`Manager.find_command <flask_script_hub.Manager.find_command>`
        returned: a :class:`~flask_script_hub.Manager`, a mounted click command
        (:class:`~flask_script_hub.flask_cli.ClickCommand`), a
        :class:`~flask_script_hub.Command` or any object with ``create_parser(prog,
        help_args)``.
    :param help_args: the help option strings in force above ``target`` (``target.help_args``,
        when set, replaces them, as in ``manage.py``; a mounted click command gets those in
        force, through its parent's context).
    :returns: a :class:`ManagerStandIn`, the mounted :class:`click.Command` itself, a
        :class:`CommandStandIn`, or ``None`` for anything else (``None`` included).
    """
    if isinstance(target, Manager):
        return ManagerStandIn(name, target, help_args)
    if isinstance(target, ClickCommand):
        return target.command
    if target is not None and hasattr(target, "create_parser"):
        return CommandStandIn(name, target, help_args)
    return None


def _in_force(target: object, inherited: Sequence[str]) -> list[str]:
    """``target``'s own help option strings if it sets them, else the inherited ones."""
    own = getattr(target, "help_args", None)
    return list(own if own is not None else inherited)


class CommandStandIn(click.Command):
    """A :class:`click.Command` with the parameters of a ``manage.py`` command, for completion.

    Its parameters (:func:`click_params`) come from the command's argparse parser, built on first
    use (:meth:`get_params`). It has no click help option of its own: the parser's help option
    (``-?``/``--help``, or the command's ``help_args``) is one of its parameters. Unknown
    options and extra words are accepted. Invoking it does nothing.

    :param name: the command word.
    :param command: the command (anything with ``create_parser(prog, help_args)``).
    :param help_args: the help option strings in force above the command; its own
        ``help_args``, when set, replace them (as in ``manage.py``).
    """

    def __init__(
        self, name: str, command: Any, help_args: Sequence[str] = DEFAULT_HELP_ARGS
    ) -> None:
        super().__init__(
            name, help=summary(command), add_help_option=False, context_settings=dict(_TOLERANT)
        )
        self.command = command
        self.help_args = _in_force(command, help_args)
        self.built = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The command's parameters, read from its parser on the first call.

        A command whose parser cannot be built (its options conflict, ``get_options`` raises)
        has none: completion offers nothing for it rather than failing.
        """
        if not self.built:
            self.built = True
            try:
                parser = self.command.create_parser(self.name or "", self.help_args)
            except Exception:
                parser = None
            self.params = click_params(parser) if parser is not None else []
        return super().get_params(ctx)


class ManagerStandIn(click.Group):
    """A :class:`click.Group` with a manager's options and commands, for completion.

    Its commands are the manager's (:meth:`Manager.command_names
    <flask_script_hub.Manager.command_names>`), each a stand-in made when click asks for it
    (:func:`stand_in`); ``_`` and ``-`` are interchangeable in a command word, as in
    ``manage.py``. Its options are the manager's (``add_option``) and its help option; as in
    ``manage.py``, they go before the command word. Invoking it does nothing.

    :param name: the command word of the manager.
    :param manager: the manager; its default commands are added first if it gets them
        (:meth:`Manager.set_defaults <flask_script_hub.Manager.set_defaults>`, as running it
        would).
    :param help_args: the help option strings in force above the manager; its own
        ``help_args``, when set, replace them. Those in force are inherited by its commands, and
        given to the click commands mounted below it, as ``manage.py`` does.
    """

    def __init__(
        self, name: str, manager: Manager, help_args: Sequence[str] = DEFAULT_HELP_ARGS
    ) -> None:
        manager.set_defaults()
        in_force = _in_force(manager, help_args)
        super().__init__(
            name,
            help=summary(manager),
            add_help_option=False,
            context_settings={**_TOLERANT, "help_option_names": in_force},
        )
        self.manager = manager
        self.help_args = in_force
        self.built = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The manager's options and help option, read from its parser on the first call."""
        if not self.built:
            self.built = True
            parser = self.manager.create_parser(self.name or "", self.help_args)
            self.params = click_params(parser, skip=(COMMAND_DEST, ARGS_DEST))
        return super().get_params(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The manager's command names, sorted (for the root manager: plugin namespaces too)."""
        return self.manager.command_names()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The stand-in of the command ``cmd_name``; ``None`` when there is none, or when it is
        a plugin namespace whose plugin fails (:class:`~flask_script_hub.plugins.PluginError`)."""
        try:
            target = self.manager.find_command(cmd_name)
        except InvalidCommand:
            return None
        return stand_in(cmd_name, target, self.help_args)


def click_params(
    parser: argparse.ArgumentParser, skip: Sequence[str] = ()
) -> list[click.Parameter]:
    """The click parameters that complete what ``parser`` parses, in its order.

    An optional argument becomes a :class:`click.Option` with all its option strings (short and
    long, ``--no-x`` of ``BooleanOptionalAction``, the help option); one that takes no value
    (``nargs=0``: ``store_true``, ``count``, help...) is a flag; one hidden with
    ``help=argparse.SUPPRESS`` is hidden (argcomplete does not offer it either). A positional
    becomes a :class:`click.Argument`. Values complete as argcomplete completes them: the
    ``choices`` (as strings, a :class:`click.Choice`), else file names (:class:`click.Path`,
    argcomplete's default completer). ``nargs`` of ``*``, ``+`` or ``...`` is one value of a
    repeatable option, or a positional taking every remaining word (``nargs=-1``, for the first
    such positional only: click allows one). Nothing is required, and nothing converts or
    checks values.

    :param parser: the argparse parser (its actions are read through the core's argparse
        compatibility layer: none if argparse's shape is not the one targeted).
    :param skip: destinations to leave out (a manager's command word and rest of the line).
    :returns: a list of :class:`click.Option` and :class:`click.Argument`, named ``p0``,
        ``p1``... (argparse destinations may repeat or not be identifiers).
    """
    params: list[click.Parameter] = []
    variadic_taken = False
    for index, action in enumerate(parser_actions(parser)):
        if action.dest in skip:
            continue
        name = f"p{index}"
        kind = (
            click.Choice([str(choice) for choice in action.choices])
            if action.choices is not None
            else click.Path()
        )
        many = action.nargs in ("*", "+", argparse.REMAINDER)
        count = action.nargs if isinstance(action.nargs, int) else 1
        if action.option_strings:
            # "/" separates a click flag's on and off names: such a string cannot be declared
            strings = [s for s in action.option_strings if "/" not in s]
            if not strings:
                continue
            hidden = action.help == argparse.SUPPRESS
            if action.nargs == 0:
                params.append(click.Option([*strings, name], is_flag=True, hidden=hidden))
            else:
                params.append(
                    click.Option(
                        [*strings, name], type=kind, nargs=count, multiple=many, hidden=hidden
                    )
                )
        elif many and not variadic_taken:
            variadic_taken = True
            params.append(click.Argument([name], type=kind, nargs=-1, required=False))
        else:
            params.append(click.Argument([name], type=kind, nargs=max(count, 1), required=False))
    return params
