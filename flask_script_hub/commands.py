"""Commands, options and option groups: what a :class:`~flask_script_hub.Manager` dispatches to.

Follows Flask-Script 2.0's ``flask_script.commands`` module: :class:`Command` (subclassed, or built
from a plain function whose signature gives the options), :class:`Option` (the arguments of
:meth:`argparse.ArgumentParser.add_argument`), :class:`Group` (argument groups and mutually
exclusive
groups) and :class:`InvalidCommand`.

Nothing here imports Flask: building the command list of a ``manage.py`` must stay cheap.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import textwrap
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .context import current_manager
from .errors import InvalidCommand, one_line

if TYPE_CHECKING:
    import inspect
    from contextlib import AbstractContextManager

    from flask import Flask

__all__ = ["Command", "Group", "InvalidCommand", "Option", "one_line"]


class Option:
    """One positional or optional argument of a command or a manager.

    Stores the arguments of :meth:`argparse.ArgumentParser.add_argument` unchanged, as Flask-Script
    2.0's ``Option`` did.

    :param args: ``name_or_flags``: a positional name (``"name"``) or option strings
        (``"-n", "--name"``).
    :param kwargs: any keyword of ``add_argument``: ``action``, ``nargs``, ``const``, ``default``,
        ``type``, ``choices``, ``required``, ``help``, ``metavar``, ``dest``.
    """

    def __init__(self, *args: str, **kwargs: Any) -> None:
        self.args: tuple[str, ...] = args
        self.kwargs: dict[str, Any] = kwargs

    @property
    def option_strings(self) -> list[str]:
        """The flags (strings starting with ``-``) of this option; empty for a positional."""
        return [a for a in self.args if a[:1] == "-"]

    def add_to(self, parser: argparse.ArgumentParser | Any) -> None:
        """Add this option to an argparse parser or argument group."""
        parser.add_argument(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        args = ", ".join(
            [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        )
        return f"Option({args})"


class Group:
    """Options shown together (an argument group) or accepted one at a time (mutually exclusive).

    Follows Flask-Script 2.0's ``Group``: ``title`` and ``description`` make an argparse argument
    group; ``exclusive=True`` makes a mutually exclusive group, which ``required=True`` makes
    mandatory. As in the original, a title or description cannot be combined with ``exclusive`` or
    ``required``.

    :param options: the :class:`Option` objects of the group.
    :param title: heading of the group in ``--help``.
    :param description: text under the heading.
    :param exclusive: at most one of the options may be given.
    :param required: with ``exclusive``, exactly one must be given.
    :raises ValueError: when ``title``/``description`` are combined with ``exclusive``/``required``,
        or ``required`` is given without ``exclusive``.
    """

    def __init__(
        self,
        *options: Option,
        title: str | None = None,
        description: str | None = None,
        exclusive: bool = False,
        required: bool = False,
    ) -> None:
        if (title or description) and (exclusive or required):
            raise ValueError("a Group takes title/description or exclusive/required, not both")
        if required and not exclusive:
            raise ValueError("required=True applies to exclusive groups only")
        self.option_list: list[Option] = list(options)
        self.title = title
        self.description = description
        self.exclusive = exclusive
        self.required = required

    @property
    def option_strings(self) -> list[str]:
        """The flags of every option in the group."""
        return [s for option in self.option_list for s in option.option_strings]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add the group and its options to an argparse parser."""
        group: Any
        if self.exclusive:
            group = parser.add_mutually_exclusive_group(required=self.required)
        else:
            group = parser.add_argument_group(self.title, self.description)
        for option in self.option_list:
            option.add_to(group)


class Command:
    """A command of a manager: subclass it, or wrap a function.

    A subclass sets :attr:`option_list` (or overrides :meth:`get_options`) and implements
    :meth:`run`, which receives the parsed options as keyword arguments. ``Command(func)`` wraps a
    function and reads its options from the signature, as Flask-Script 2.0's ``@manager.command``
    did, extended for Python 3:

    * a parameter without a default is a positional argument; ``*args`` takes any number;
    * a parameter with a default, or a keyword-only parameter, is an option ``-x/--name``, as in
      Flask-Script 2.0.6: the short form is the first letter (skipped when another option has it),
      the long form keeps the parameter's spelling (``--profile_dir``) and also accepts dashes
      (``--profile-dir``); a one-letter parameter ``b`` gets ``-b`` and ``--b``;
    * a ``False`` default makes a flag (``-v/--verified``); a ``True`` default keeps the short flag
      and ``--name`` (which confirm the default, as in Flask-Script 2.0.6) and adds
      ``--no-name`` to turn it off;
    * the annotation, or else the type of the default, converts the value: ``int``, ``float``,
      ``pathlib.Path``, an :class:`enum.Enum` (by name or value), ``typing.Literal[...]`` (choices),
      ``list[T]`` (several values);
    * a parameter named ``app`` without a default receives the application instead of a value
      from the command line (as the Flask-Script docs' ``def mycommand(app)``);
    * the docstring is the help: its first paragraph in command lists, all of it in ``--help``.

    Receiving the app, one rule for functions and subclasses (:meth:`takes_app`): a command gets
    the Flask application the manager created for this command line when it declares a
    parameter named ``app`` - in the wrapped function's signature, or in :meth:`run`
    (``def run(self, app, name=None)``). Prefer it to ``current_app._get_current_object()``.

    The return value of :meth:`run`, if an ``int``, is the exit status.

    Class attributes:

    :attr option_list: sequence of :class:`Option` / :class:`Group` (default empty).
    :attr help_args: option strings that show help; ``None`` (default) inherits the manager's.
    :attr capture_all_args: pass arguments the parser does not know to :meth:`run` as one
        positional list instead of failing (for commands that forward their arguments).
    :attr needs_app: the manager resolves the app and runs the command in its app context; a
        command that sets it to ``False`` is called with ``app=None`` and never creates the app.
    """

    option_list: Sequence[Option | Group] = ()
    help_args: Sequence[str] | None = None
    capture_all_args: bool = False
    needs_app: bool = True

    # Class-level defaults, so that a subclass whose __init__ does not call super().__init__()
    # (the Flask-Script docs' ``class Hello(Command)`` with its own __init__) still works.
    _func: Callable[..., Any] | None = None
    _signature_options: list[Option | Group] | None = None
    _inject_app: bool = False
    _varargs: str | None = None

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        self._func = func
        self._signature_options: list[Option | Group] | None = None
        self._inject_app = False
        self._varargs: str | None = None
        if func is not None:
            self.__doc__ = func.__doc__
        if not self.option_list:
            # per instance, so that @manager.option can append to it
            self.option_list = []

    # -- description ------------------------------------------------------------------------
    @property
    def description(self) -> str:
        """The whole docstring, dedented (shown by ``--help``)."""
        return cleandoc(self.__doc__ or "")

    @property
    def help(self) -> str:
        """The first paragraph of the docstring, on one line (shown in command lists)."""
        return first_paragraph(self.description)

    # -- options ----------------------------------------------------------------------------
    def get_options(self) -> list[Option | Group]:
        """Return the options of this command.

        By default :attr:`option_list`, followed by the options read from the wrapped function's
        signature when the command wraps one and declares no options of its own (as Flask-Script
        2.0). Override to compute options per instance.

        :returns: a list of :class:`Option` and :class:`Group`.
        """
        if self._func is None or self.option_list:
            return list(self.option_list)
        if self._signature_options is None:
            self._signature_options, self._inject_app = options_from_signature(self._func)
            self._varargs = varargs_name(self._func)
        return list(self._signature_options)

    def add_option(self, option: Option | Group) -> None:
        """Append an option (used by ``@manager.option``).

        A class-level ``option_list`` (a tuple, or a list shared by the class) is copied to the
        instance first, so that adding an option never changes other instances.
        """
        self.option_list = [*self.option_list, option]

    def create_parser(
        self, prog: str, help_args: Sequence[str] = ("-?", "--help")
    ) -> argparse.ArgumentParser:
        """Build the argparse parser of this command.

        :param prog: the program name shown in usage lines (``"manage.py hello"``).
        :param help_args: option strings that print help; any of them the command itself uses
            (``-h`` for ``--host``) is left to the command, as Flask-Script 2.0.2 allows.
        :returns: a new :class:`argparse.ArgumentParser`.
        :raises argparse.ArgumentError: when two options of the command use one option string.
        """
        parser = argparse.ArgumentParser(
            prog=prog,
            description=self.description or None,
            add_help=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        options = self.get_options()
        add_help_option(parser, help_args, options)
        for option in options:
            option.add_to(parser)
        return parser

    # -- running ----------------------------------------------------------------------------
    def __call__(self, app: Flask | None = None, /, *args: Any, **kwargs: Any) -> Any:
        """Run the command inside :meth:`command_context` (without one when ``app`` is None).

        Follows Flask-Script 2.0.6's ``Command.__call__(app, *args, **kwargs)``, which ran
        :meth:`run` inside ``app.test_request_context()``; ``app`` is positional-only, so that an
        option parsed into ``app`` reaches :meth:`run` as a keyword. :meth:`run` receives the app
        as ``app=`` when :meth:`takes_app`. Subclasses that manage the app themselves
        (``Server``) override it.
        """
        if self.takes_app() and "app" not in kwargs:
            kwargs["app"] = app
        if app is None:
            return self.run(*args, **kwargs)
        with self.command_context(app):
            return self.run(*args, **kwargs)

    def takes_app(self) -> bool:
        """Whether the command receives the application as ``app``: the one rule for every
        command, function or class.

        A wrapped function receives it when it has a parameter named ``app`` without default
        (Flask-Script 2.0.6's ``def mycommand(app)``; with a default, ``app`` is an option). A
        :class:`Command` subclass receives it when its :meth:`run` declares a parameter named
        ``app`` (``def run(self, app, name=None)``), unless an option of the command is
        parsed into ``app``.

        :returns: ``True`` when :meth:`__call__` passes ``app=<the Flask app>`` to :meth:`run`.
        """
        if self._func is not None:
            self.get_options()  # reads the signature once
            return self._inject_app
        return _run_declares_app(type(self))

    def command_context(self, app: Flask) -> AbstractContextManager[Any]:
        """The context the command runs in: ``app.test_request_context()`` by default.

        As Flask-Script 2.0.6: ``url_for()`` (also with ``_external=True``, giving
        ``http://localhost/...`` unless ``SERVER_NAME`` is set), ``request`` and templates work in
        a command; the app context is pushed with it. The root manager's
        ``request_context=False`` chooses the plain ``app.app_context()`` (what ``flask``
        commands get).

        :param app: the application.
        :returns: a context manager that pushes the context on entry and pops it on exit.
        """
        try:
            use_request = current_manager().request_context
        except RuntimeError:  # called outside manage.py (a test calling the command directly)
            use_request = True
        return app.test_request_context() if use_request else app.app_context()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Do the work of the command; receives the parsed options as keyword arguments.

        :returns: an ``int`` exit status, or ``None`` for 0.
        :raises InvalidCommand: to report a user error as one line, exit status 1.
        """
        if self._func is not None:
            if self._varargs is not None and self._varargs in kwargs:
                args = (*args, *kwargs.pop(self._varargs))
            return self._func(*args, **kwargs)
        raise NotImplementedError(f"{type(self).__name__} must implement run()")


# -- help ---------------------------------------------------------------------------------------
def add_help_option(
    parser: argparse.ArgumentParser,
    help_args: Sequence[str],
    options: Iterable[Option | Group] = (),
) -> None:
    """Add a help option made of ``help_args`` minus the strings a command option already uses."""
    taken = {s for option in options for s in option.option_strings}
    strings = [s for s in help_args if s not in taken]
    if strings:
        parser.add_argument(
            *strings,
            action="help",
            default=argparse.SUPPRESS,
            help="show this help message and exit",
        )


def first_paragraph(text: str) -> str:
    """The first paragraph of a (dedented) docstring, its lines joined by single spaces.

    Command lists show it; argparse's help formatter wraps it to the terminal width.
    """
    paragraph = text.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def cleandoc(doc: str) -> str:
    """Dedent a docstring as :func:`inspect.cleandoc` does (without importing inspect)."""
    first, _, rest = doc.expandtabs().partition("\n")
    return "\n".join([first.strip(), textwrap.dedent(rest)]).strip()


# -- options from a signature ------------------------------------------------------------------
# inspect and pathlib are imported here, when a command's parser is built, not when a manage.py
# lists its commands (CONTRIBUTING.md, "Imports").
def _run_declares_app(command_class: type[Command]) -> bool:
    """Whether ``command_class.run`` has a parameter named ``app`` (cached per class)."""
    cached = _RUN_TAKES_APP.get(command_class)
    if cached is None:
        import inspect

        try:
            parameters = inspect.signature(command_class.run).parameters
        except (TypeError, ValueError):  # a builtin or otherwise opaque run(): no app
            parameters = {}  # type: ignore[assignment]
        app = parameters.get("app")
        cached = app is not None and app.kind not in (app.VAR_POSITIONAL, app.VAR_KEYWORD)
        _RUN_TAKES_APP[command_class] = cached
    return cached


_RUN_TAKES_APP: dict[type, bool] = {}


def varargs_name(func: Callable[..., Any]) -> str | None:
    """The name of ``func``'s ``*args`` parameter, if it has one."""
    import inspect

    params = inspect.signature(func).parameters.values()
    return next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)


def options_from_signature(func: Callable[..., Any]) -> tuple[list[Option | Group], bool]:
    """Read command options from a function's signature, as ``@manager.command`` does.

    :param func: the command function.
    :returns: ``(options, takes_app)``: the options in parameter order, and whether a parameter
        named ``app`` (without default) should receive the application.
    """
    import inspect  # +9 ms at start-up (python -X importtime): loaded when a parser is built

    signature = inspect.signature(func)
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # unresolvable forward references: fall back to the defaults' types
        hints = {}
    params = list(signature.parameters.values())
    takes_app = any(
        p.name == "app" and p.default is p.empty and p.kind is not p.VAR_POSITIONAL for p in params
    )
    shorts_taken = {"-" + p.name[0] for p in params if len(p.name) == 1}
    options: list[Option | Group] = []
    for param in params:
        if param.kind is param.VAR_KEYWORD or (takes_app and param.name == "app"):
            continue
        annotation = hints.get(param.name, param.empty)
        if param.kind is param.VAR_POSITIONAL:
            options.append(Option(param.name, nargs="*", **_conversion(annotation, None)))
        elif param.default is param.empty and param.kind is not param.KEYWORD_ONLY:
            options.append(Option(param.name, **_conversion(annotation, None)))
        else:
            options.append(_optional(param, annotation, shorts_taken))
    return options, takes_app


def _optional(param: inspect.Parameter, annotation: Any, shorts_taken: set[str]) -> Option:
    default = None if param.default is param.empty else param.default
    kind = _unwrap_optional(annotation)
    # Flask-Script 2.0.6's flags: "-" + first letter, "--" + the name as written; the dashed
    # spelling of an under_scored name is accepted too.
    flags = []
    short = "-" + param.name[0]
    if len(param.name) == 1 or short not in shorts_taken:
        shorts_taken.add(short)
        flags.append(short)
    flags.append("--" + param.name)
    if "_" in param.name:
        flags.append("--" + param.name.replace("_", "-"))
    kwargs: dict[str, Any] = {"dest": param.name, "default": default}
    if param.default is param.empty:
        kwargs["required"] = True
    if kind is bool or (kind is param.empty and isinstance(default, bool)):
        if default is True:
            # -x and --name confirm the default (Flask-Script 2.0.6's store_true); --no-name
            # turns it off
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["action"] = "store_true"
            kwargs["default"] = bool(default)
        return Option(*flags, **kwargs)
    kwargs.update(_conversion(annotation, default))
    if "action" not in kwargs and default is not None:
        kwargs["help"] = "(default: %(default)s)"
    return Option(*flags, **kwargs)


def _unwrap_optional(annotation: Any) -> Any:
    """``X | None`` and ``Optional[X]`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _conversion(annotation: Any, default: Any) -> dict[str, Any]:
    """argparse keywords (type, nargs, choices, metavar) for an annotation or a default value."""
    import inspect  # +9 ms at start-up; loaded when a command's parser is built
    import pathlib  # +3.5 ms at start-up (python -X importtime)

    kind = _unwrap_optional(annotation)
    if kind is inspect.Parameter.empty:
        if default is None or isinstance(default, str):
            return {}
        kind = type(default)
    origin = typing.get_origin(kind)
    if origin in (list, tuple, set, Sequence, typing.Sequence) or kind in (list, tuple):
        args = typing.get_args(kind)
        inner = _conversion(args[0], None) if args and args[0] is not Ellipsis else {}
        return {"nargs": "*", **inner}
    if origin is typing.Literal:
        choices = list(typing.get_args(kind))
        return {"choices": choices, "type": type(choices[0])} if choices else {}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"type": _enum_converter(kind), "metavar": "{" + ",".join(kind.__members__) + "}"}
    if kind in (int, float, complex, pathlib.Path, pathlib.PurePath) or kind is str:
        return {} if kind is str else {"type": kind}
    if isinstance(kind, type):
        return {"type": kind}
    return {}


def _enum_converter(enum_type: type[enum.Enum]) -> Callable[[str], enum.Enum]:
    def convert(value: str) -> enum.Enum:
        if value in enum_type.__members__:
            return enum_type[value]
        for member in enum_type:
            if str(member.value) == value:
                return member
        choices = ", ".join(enum_type.__members__)
        raise argparse.ArgumentTypeError(f"invalid choice: {value!r} (choose from {choices})")

    convert.__name__ = enum_type.__name__
    return convert


# The ready-made commands live in modules of their own (they subclass Command, defined above) and
# are imported on first use, so that listing commands does not pay for them.
_LAZY = {"Shell": "shell", "Server": "server", "ShowUrls": "extras", "Clean": "extras"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__package__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
