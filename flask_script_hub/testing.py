"""Run a manager in-process and see what a user would see: for apps and plugin authors.

Modelled on click's ``CliRunner``::

    from flask_script_hub.testing import ManagerRunner

    def test_hello():
        result = ManagerRunner().invoke(manager, ["hello", "--name", "Joe"])
        assert result.exit_code == 0
        assert result.stdout == "hello Joe\\n"

A plugin is tested without installing it by registering it on the manager first:
``manager.register_plugin(my_plugin_module, name="ns")``. To test it *installed*, as users get
it (found through its entry point), :func:`write_distribution` writes a package and its real
``*.dist-info`` into a folder that a ``manage.py`` subprocess has on its ``PYTHONPATH``;
:func:`remove_distribution` uninstalls it again, and :func:`build_wheel` writes the same
distribution as a wheel for ``pip install``. :func:`run_in_terminal` runs a ``manage.py`` on a
pseudo-terminal, for what only happens at a terminal (confirmations, interactive shells).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import os
import re
import select
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .manager import Manager

__all__ = [
    "ManagerRunner",
    "Result",
    "TerminalResult",
    "build_wheel",
    "distribution_files",
    "remove_distribution",
    "run_in_terminal",
    "write_distribution",
]


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


def _escape(name: str) -> str:
    """A distribution name as it appears in ``*.dist-info`` and wheel file names."""
    return re.sub(r"[-_.]+", "_", name)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def distribution_files(
    name: str,
    version: str = "1.0",
    *,
    files: Mapping[str, str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    summary: str | None = None,
    requires: Sequence[str] = (),
) -> dict[str, bytes]:
    """The files of a pure-Python distribution as a wheel holds them and pip installs them.

    The modules of ``files`` and an ``__init__.py`` in each of their folders (unless given), and
    ``<name>-<version>.dist-info/`` with ``METADATA`` (core metadata 2.1), ``WHEEL``,
    ``entry_points.txt`` (when there are entry points) and a ``RECORD`` with the sha256 digest of
    every file, as the wheel specification (PEP 427) describes.

    :param name: the distribution's name (``flask-script-hub-foo``).
    :param version: its version.
    :param files: source files by path relative to the install folder (``{"fsh_foo/plugin.py":
        "..."}``), written as they are.
    :param entry_points: entry points by group, then name (``{"flask_script_hub": {"foo":
        "fsh_foo.plugin"}}``).
    :param summary: the one-line ``Summary`` of ``METADATA`` (none when ``None``).
    :param requires: ``Requires-Dist`` lines (``["flask>=3"]``).
    :returns: ``{relative path: content}`` (``dict[str, bytes]``), ``RECORD`` last.
    """
    contents: dict[str, bytes] = {}
    for rel, text in (files or {}).items():
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            init = "/".join([*parts[:depth], "__init__.py"])
            if init not in (files or {}):
                contents.setdefault(init, b"")
        contents[rel] = text.encode()
    info = f"{_escape(name)}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary is not None:
        metadata.append(f"Summary: {summary}")
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    contents[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    contents[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: flask_script_hub.testing\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if entry_points:
        sections = []
        for group, entries in entry_points.items():
            lines = [f"[{group}]", *(f"{key} = {value}" for key, value in entries.items())]
            sections.append("\n".join(lines) + "\n")
        contents[f"{info}/entry_points.txt"] = "\n".join(sections).encode()
    record = [_record_line(path, data) for path, data in contents.items()]
    contents[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    return contents


def write_distribution(
    directory: str | os.PathLike[str],
    name: str,
    version: str = "1.0",
    *,
    files: Mapping[str, str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    summary: str | None = None,
    requires: Sequence[str] = (),
) -> Path:
    """Install a distribution into ``directory`` as pip leaves it, without pip or a network.

    Writes :func:`distribution_files` there: the package and a real ``*.dist-info`` that
    :mod:`importlib.metadata` finds when ``directory`` is on ``sys.path`` (``PYTHONPATH`` of a
    subprocess). Parameters as :func:`distribution_files`.

    :param directory: the install folder (a ``site-packages``), created if missing.
    :returns: the ``*.dist-info`` folder (:class:`pathlib.Path`).
    :raises FileExistsError: when that version of the distribution is already there.
    """
    root = Path(directory)
    contents = distribution_files(
        name, version, files=files, entry_points=entry_points, summary=summary, requires=requires
    )
    info = root / f"{_escape(name)}-{version}.dist-info"
    info.mkdir(parents=True)
    for rel, data in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return info


def remove_distribution(dist_info: str | os.PathLike[str]) -> None:
    """Uninstall a distribution as pip does: remove every file its ``RECORD`` lists.

    Folders left empty (the package's, the ``*.dist-info``) are removed too.

    :param dist_info: the ``*.dist-info`` folder (as :func:`write_distribution` returns).
    :raises FileNotFoundError: when it has no ``RECORD``.
    """
    info = Path(dist_info)
    root = info.parent
    with open(info / "RECORD", newline="", encoding="utf-8") as record:
        rows = list(csv.reader(record))  # path,hash,size (PEP 376)
    folders = set()
    for row in rows:
        rel = row[0] if row else ""
        if not rel:
            continue
        path = root / rel
        path.unlink(missing_ok=True)
        folders.add(path.parent)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        pycache = folder / "__pycache__"
        if pycache.is_dir():
            shutil.rmtree(pycache)
        if folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def build_wheel(
    directory: str | os.PathLike[str],
    name: str,
    version: str = "1.0",
    *,
    files: Mapping[str, str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    summary: str | None = None,
    requires: Sequence[str] = (),
) -> Path:
    """Write the distribution as a wheel (``<name>-<version>-py3-none-any.whl``) for pip.

    Parameters as :func:`distribution_files`.

    :param directory: the folder the wheel is written to (it must exist).
    :returns: the wheel's path (:class:`pathlib.Path`).
    """
    contents = distribution_files(
        name, version, files=files, entry_points=entry_points, summary=summary, requires=requires
    )
    path = Path(directory) / f"{_escape(name)}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for rel, data in contents.items():
            archive.writestr(rel, data)
    return path


@dataclass
class TerminalResult:
    """The outcome of :func:`run_in_terminal`.

    :param returncode: the exit status (negative: killed by that signal, as after ``until``).
    :param output: everything written to the terminal, stdout and stderr interleaved as a user
        sees them, with ``"\\r\\n"`` turned into ``"\\n"``.
    """

    returncode: int
    output: str


def run_in_terminal(
    args: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    answers: Sequence[tuple[str | Sequence[str], str]] = (),
    until: str | None = None,
    timeout: float = 60,
    typing_delay: float = 0.0,
    size: tuple[int, int] = (24, 100),
) -> TerminalResult:
    """Run a command with stdin, stdout and stderr on a new pseudo-terminal, as from a terminal.

    POSIX only (:mod:`pty`). A user is played by ``answers``: for each ``(prompt, answer)`` in
    turn, once the output written since the previous answer shows ``prompt`` (or one of several
    prompts), ``answer`` is typed; an empty prompt types at once. A request for the cursor
    position (``ESC [6n``, sent by prompt_toolkit's shells) is answered with the top-left corner.

    :param args: the command line (``[sys.executable, "manage.py", "db", "drop"]``).
    :param cwd: its working directory.
    :param env: its whole environment (default: this process's).
    :param answers: ``(prompt, answer)`` pairs; the answer is sent as it is (end it with ``"\\n"``).
    :param until: stop once the output shows this text, after the answers, killing the command
        (for interactive shells); without it, wait for the command to exit.
    :param timeout: seconds before giving up (then the command is killed).
    :param typing_delay: seconds to wait after each answer (for line editors that read ahead).
    :param size: the terminal's ``(rows, columns)``.
    :returns: a :class:`TerminalResult`.
    :raises TimeoutError: when the command neither exits nor shows ``until`` in time (the message
        holds the output so far).
    """
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    output = b""
    since = 0  # where the output after the last answer starts
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if until is not None and not pending and until.encode() in output:
                process.kill()
                break
            if pending:
                prompt, answer = pending[0]
                prompts = [prompt] if isinstance(prompt, str) else list(prompt)
                if any(p.encode() in output[since:] for p in prompts):
                    os.write(leader, answer.encode())
                    since = len(output)
                    pending.pop(0)
                    time.sleep(typing_delay)
                    continue
            if time.monotonic() > deadline:
                process.kill()
                raise TimeoutError(f"{args!r} still running after {timeout} s; output: {output!r}")
            ready, _, _ = select.select([leader], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every process holding the terminal has exited
                break
            if not chunk:
                break
            output += chunk
            if b"\x1b[6n" in chunk:
                os.write(leader, b"\x1b[1;1R")
    finally:
        os.close(leader)
        returncode = process.wait(timeout=30)
    return TerminalResult(returncode, output.decode("utf-8", "replace").replace("\r\n", "\n"))
