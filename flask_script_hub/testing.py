"""Run a manager in-process and see what a user would see: for apps and plugin authors.

Modelled on click's ``CliRunner``::

    from flask_script_hub.testing import ManagerRunner

    def test_hello():
        result = ManagerRunner().invoke(manager, ["hello", "--name", "Joe"])
        assert result.exit_code == 0
        assert result.stdout == "hello Joe\\n"

A plugin is tested without installing it by registering it on the manager first:
``manager.register_plugin(my_plugin_module, name="ns")``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .manager import Manager

__all__ = ["ManagerRunner", "Result"]


@dataclass
class Result:
    """The outcome of :meth:`ManagerRunner.invoke`.

    :param exit_code: the exit status ``manage.py`` would have exited with.
    :param stdout: everything written to ``sys.stdout``.
    :param stderr: everything written to ``sys.stderr``.
    :param exception: an exception that escaped the manager (a bug: a traceback for a user),
        when ``catch_exceptions`` was true; ``None`` otherwise.
    """

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """stdout followed by stderr."""
        return self.stdout + self.stderr


class ManagerRunner:
    """Invokes a :class:`~flask_script_hub.Manager` with replaced standard streams.

    :param prog: the program name shown in usage lines.
    """

    def __init__(self, prog: str = "manage.py") -> None:
        self.prog = prog

    @contextlib.contextmanager
    def isolation(
        self, input: str | None = None, env: Mapping[str, str | None] | None = None
    ) -> Iterator[tuple[io.StringIO, io.StringIO]]:
        """Replace stdin/stdout/stderr and apply ``env`` (``None`` values unset a variable)."""
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        saved_env = {key: os.environ.get(key) for key in (env or {})}
        out, err = io.StringIO(), io.StringIO()
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
        for key, value in (env or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        try:
            yield out, err
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            for key, old in saved_env.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old

    def invoke(
        self,
        manager: Manager,
        args: Sequence[str] = (),
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
        catch_exceptions: bool = True,
        default_command: str | None = None,
    ) -> Result:
        """Run ``manager`` with ``args`` as ``manage.py`` would, in this process.

        :param manager: the root manager.
        :param args: the command line after the program name (``list[str]``).
        :param input: what the user types (stdin; then not a terminal).
        :param env: environment variables to set for the call (``None`` unsets one).
        :param catch_exceptions: record an escaping exception in the result (exit code 1)
            instead of raising it.
        :param default_command: as :meth:`Manager.run`.
        :returns: a :class:`Result`.
        """
        exception: BaseException | None = None
        with self.isolation(input, env) as (out, err):
            try:
                code = manager.handle(self.prog, list(args), default_command=default_command)
            except Exception as exc:
                if not catch_exceptions:
                    raise
                exception, code = exc, 1
        return Result(code, out.getvalue(), err.getvalue(), exception)
