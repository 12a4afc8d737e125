"""Load ``.flaskenv`` and ``.env`` into the environment before the app is created.

As the Flask CLI does (``flask.cli.load_dotenv``), with python-dotenv doing the parsing: the files
are found from the current directory upwards, ``.env`` wins over ``.flaskenv``, an explicit file
wins over both, and a variable that is already set in the environment is never overridden. Unlike
Flask, a line python-dotenv cannot parse is reported as a warning naming the file and the line,
and an unreadable file is skipped with a warning; neither stops the command.

The manager calls :func:`load_dotenv_files` once per invocation, just before it first creates the
app, unless ``Manager(load_dotenv=False)`` or ``FLASK_SKIP_DOTENV=1``.

Nothing here is imported at module level except the standard library: python-dotenv is imported
when the files are loaded.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ["DEFAULT_FILES", "dotenv_enabled", "load_dotenv_files"]

#: The files looked for, lowest precedence first (as ``flask.cli.load_dotenv``).
DEFAULT_FILES = (".flaskenv", ".env")


def dotenv_enabled(default: bool = True) -> bool:
    """Whether ``.env`` files should be loaded, according to ``FLASK_SKIP_DOTENV``.

    As ``flask.helpers.get_load_dotenv``: an unset or empty variable gives ``default``; ``0``,
    ``false`` or ``no`` (any case) enable loading; any other value disables it.

    :param default: the answer when the variable is unset.
    :returns: ``True`` to load the files.
    """
    value = os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in ("0", "false", "no")


def load_dotenv_files(
    path: str | os.PathLike[str] | None = None, *, load_defaults: bool = True
) -> bool:
    """Set environment variables from ``.flaskenv``, ``.env`` and ``path``.

    As ``flask.cli.load_dotenv`` (Flask 3.1): ``.flaskenv`` and ``.env`` are searched from the
    current directory upwards (python-dotenv's ``find_dotenv(usecwd=True)``); values of ``.env``
    take precedence over ``.flaskenv``, values of ``path`` over both; a variable already present in
    ``os.environ`` is left as it is. Values may refer to other variables (``${HOME}/data``), as
    python-dotenv interpolates them.

    A malformed line does not stop anything: it is skipped and a warning naming the file and the
    line number is printed on stderr. A file that cannot be read or decoded as UTF-8 is skipped
    with a warning. When python-dotenv is not installed nothing is loaded and, if such files are
    present, a one-line tip is printed (as Flask does).

    Turning it off (``FLASK_SKIP_DOTENV=1``, :func:`dotenv_enabled`) is the caller's decision;
    this function always loads.

    :param path: an additional file to load (``str`` or path-like); ignored if it is not a file.
    :param load_defaults: also search for ``.flaskenv`` and ``.env``.
    :returns: ``True`` if at least one variable was read from the files (set or already set).
    """
    try:
        import dotenv
    except ImportError:
        if path or any(os.path.isfile(name) for name in DEFAULT_FILES):
            print(
                " * Tip: There are .env files present. Install python-dotenv to use them.",
                file=sys.stderr,
            )
        return False

    files: list[str] = []
    if load_defaults:
        for name in DEFAULT_FILES:
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                files.append(found)
    if path is not None and os.path.isfile(path):
        files.append(os.fspath(path))

    data: dict[str, str | None] = {}
    for file in files:
        data |= _read(file)
    for key, value in data.items():
        if value is None or key in os.environ:
            continue
        os.environ[key] = value
    return bool(data)


def _read(file: str) -> dict[str, str | None]:
    """The values of one file, reporting python-dotenv's parse warnings with the file's name."""
    import dotenv

    logger = logging.getLogger("dotenv.main")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # the warnings are reported below, with the file's name
    try:
        values: dict[str, str | None] = dotenv.dotenv_values(file, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _warn(f"{file}: cannot be read ({exc}); skipped")
        return {}
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    lines: list[str] | None = None
    for record in handler.records:
        line = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if isinstance(line, int):
            if lines is None:
                try:
                    with open(file, encoding="utf-8") as text:
                        lines = text.read().splitlines()
                except (OSError, UnicodeDecodeError):
                    lines = []
            line = _text_line(lines, line)
            _warn(f"{file}, line {line}: cannot be parsed; the line was skipped")
        else:
            _warn(f"{file}: {record.getMessage()}")
    return values


def _text_line(lines: list[str], line: int) -> int:
    """The line of a statement's text, from the line python-dotenv reports (python-dotenv 1.x
    reports where the blank lines before the statement start)."""
    while line <= len(lines) and not lines[line - 1].strip():
        line += 1
    return line


def _warn(message: str) -> None:
    print(f" * Warning: {message}", file=sys.stderr)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __repr__(self) -> str:
        return f"<_Collect {len(self.records)}>"

    def handleError(self, record: Any) -> None:  # never raise from logging
        pass
