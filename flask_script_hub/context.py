"""The invocation in progress: what one ``manage.py`` run knows, readable from any command.

As click's ``globals.py`` (``get_current_context``): :meth:`Manager.handle
<flask_script_hub.Manager.handle>` pushes an :class:`Invocation` for the duration of one
command line, in a :class:`contextvars.ContextVar`, and commands, plugins and the app loader read
it through :func:`current_invocation`, :func:`current_manager` and :func:`current_app_loader`.
Nothing here imports Flask.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from .loading import AppLoader
    from .manager import Manager

__all__ = [
    "Invocation",
    "current_app_loader",
    "current_invocation",
    "current_manager",
    "invocation",
]


class Invocation:
    """One run of a command line: the root manager, the managers entered, the app loader.

    :param root: the :class:`~flask_script_hub.Manager` whose ``run``/``handle`` was called.
    :param app: an app to use instead of the root manager's (the ``flask`` command passes its own).
    """

    def __init__(self, root: Manager, app: Flask | None = None) -> None:
        self.root = root
        self.app_override = app
        #: The managers on the command's path, root first, each with the options parsed at its
        #: level: ``[(manager, {dest: value}), ...]``; filled in while the line is parsed.
        self.path: list[tuple[Manager, dict[str, Any]]] = []
        #: The app loader, set once the command's path is known.
        self.loader: AppLoader | None = None

    def options_of(self, manager: Manager) -> Mapping[str, Any]:
        """The options parsed for ``manager`` on this command line (defaults filled in).

        For a command that reads the options of the managers above it (``manage.py -c dev.cfg
        ns cmd``: ``options_of(current_manager())["config"]``).

        :param manager: the root or a sub-manager on the path.
        :returns: ``{dest: value}``, read-only.
        :raises LookupError: when ``manager`` is not on the path of this command line.
        """
        for entered, options in self.path:
            if entered is manager:
                return MappingProxyType(options)
        raise LookupError(f"{manager!r} is not on the path of this command line")


_current: contextvars.ContextVar[Invocation] = contextvars.ContextVar("flask_script_hub_invocation")


@contextmanager
def invocation(current: Invocation) -> Iterator[Invocation]:
    """Make ``current`` the invocation in progress inside the ``with`` block (nests, and is
    restored on exit, as a context variable)."""
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def current_invocation() -> Invocation:
    """Return the :class:`Invocation` in progress.

    :raises RuntimeError: outside :meth:`Manager.handle <flask_script_hub.Manager.handle>` /
        ``run``.
    """
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("no manage.py command is running") from None


def current_manager() -> Manager:
    """Return the root :class:`~flask_script_hub.Manager` of the invocation in progress.

    For plugins and commands that need the plugin manager or ``call_hook``.

    :raises RuntimeError: outside :meth:`Manager.handle <flask_script_hub.Manager.handle>` /
        ``run``.
    """
    return current_invocation().root


def current_app_loader() -> Callable[[], Flask]:
    """Return the function that creates (once) the app of the invocation in progress.

    :raises RuntimeError: outside a command, or before the command's path is known.
    """
    loader = current_invocation().loader
    if loader is None:
        raise RuntimeError("no manage.py command is running")
    return loader
