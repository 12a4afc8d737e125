"""Running plugin code: what it prints while loading goes to stderr, and a Ctrl-C is told apart.

Used by :mod:`flask_script_hub.plugins` around every import of a plugin, its registration, and
every hook called through ``call_hook``; imported only then (it sets a SIGINT handler, which
``manage.py --help`` never needs).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from types import FrameType, TracebackType
from typing import Any

__all__ = ["PluginCode", "StdoutToStderr"]


class StdoutToStderr:
    """``sys.stdout`` while plugins load: what they print goes to stderr.

    A module may keep the ``sys.stdout`` it sees at import (Alembic's ``Config(stdout=sys.stdout)``
    default does): after loading, this object writes to the real stdout again.
    """

    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout
        self.loading = True

    @property
    def _target(self) -> Any:
        return sys.stderr if self.loading else self.stdout

    def write(self, text: str) -> int:
        return self._target.write(text)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


class PluginCode:
    """Run plugin code: its stdout goes to stderr, and a Ctrl-C of the user is told apart.

    A ``KeyboardInterrupt`` comes either from the user (SIGINT, Ctrl-C) or from plugin code that
    raises it. The first must stop ``manage.py`` (exit 130), the second is the plugin's failure.
    While plugin code runs, a SIGINT handler records that the user pressed Ctrl-C, then does what
    the previous handler did (Python's raises ``KeyboardInterrupt``). Outside the main thread no
    handler can be set, and every ``KeyboardInterrupt`` is taken for the user's.

    :param capture: send what the plugin prints on stdout to stderr (while plugins load).
    """

    def __init__(self, capture: bool = True) -> None:
        self.capture = capture
        self.interrupted = False
        self._previous: Any = None
        self._installed = False
        self._stdout: StdoutToStderr | None = None
        self._redirect: contextlib.redirect_stdout[Any] | None = None

    def __enter__(self) -> PluginCode:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        else:
            self.interrupted = True  # cannot tell: a KeyboardInterrupt is the user's
        if self.capture:
            self._stdout = StdoutToStderr(sys.stdout)
            self._redirect = contextlib.redirect_stdout(self._stdout)
            self._redirect.__enter__()
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True
        if callable(self._previous):
            self._previous(signum, frame)
        elif self._previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._redirect is not None and self._stdout is not None:
            self._redirect.__exit__(None, None, None)
            self._stdout.loading = False
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)

    def users(self, exc: BaseException) -> bool:
        """Whether ``exc`` must go on: a ``KeyboardInterrupt`` from the user's Ctrl-C."""
        return isinstance(exc, KeyboardInterrupt) and self.interrupted
