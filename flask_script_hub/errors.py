"""The error a command raises to fail with one line, and the one way to describe an exception.

:class:`InvalidCommand` follows Flask-Script 2.0's ``flask_script.commands.InvalidCommand``;
:func:`one_line` is what the core and every first-party plugin print for an exception they turn
into a one-line error (an app factory, a plugin or a database driver that failed).
"""

from __future__ import annotations

__all__ = ["InvalidCommand", "first_line", "one_line"]


class InvalidCommand(Exception):
    """A command cannot be carried out as asked; the user sees one line, not a traceback.

    Raise it from a command (or a plugin) with a message that says what is wrong. The manager
    prints ``str(exc)`` on stderr and exits with status 1; the traceback is shown only when the
    environment variable ``FLASK_SCRIPT_HUB_TRACEBACK`` is set to a true value.

    Follows Flask-Script 2.0's ``flask_script.commands.InvalidCommand``, whose documented
    handling the original manager never implemented.
    """


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped (``""`` when there is none).

    :param text: a message, possibly on several lines (SQLAlchemy and Alembic add details and
        links on the lines after the first).
    :returns: one line of text.
    """
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def one_line(exc: BaseException) -> str:
    """Describe an exception in one line: ``"TypeName: first line of its message"``.

    Used for the one-line errors of failed app factories, plugins and database or Redis
    operations; plugin authors may use it to turn a library's exception into an
    :class:`InvalidCommand` message.

    :param exc: any exception.
    :returns: ``"TypeName: message"``, or ``"TypeName"`` when the message is empty.
    """
    message = first_line(str(exc))
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
