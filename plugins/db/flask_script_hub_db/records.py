"""Fixture files and their records: finding the files, streaming their rows.

Formats (the file's stem is the table name):

* ``.csv``: a header row of column names, then one row per line (the :mod:`csv` module, UTF-8,
  an optional BOM); an empty cell is NULL. Streamed. A field may be as long as
  ``DB_FIXTURES_CSV_FIELD_LIMIT`` characters (default :data:`CSV_FIELD_LIMIT`, 16 MiB; Python's
  own default is 128 KiB).
* ``.jsonl``: JSON Lines, one object (column -> value) per line. Streamed: the format for big files.
* ``.json``: an array of objects (column -> value), read whole with :func:`json.load`, so its
  memory grows with the file; use ``.jsonl`` for big data.

Every problem is a :class:`FixtureError` naming the file and, where known, the line (or item)
and the column: a byte that is not UTF-8, an unclosed CSV quote (the line where the quoted field
opens), a header naming a column twice, JSON nested too deeply or an integer of thousands of
digits.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

SUFFIXES = (".csv", ".json", ".jsonl")

#: Default longest CSV field, in characters (``DB_FIXTURES_CSV_FIELD_LIMIT`` changes it).
CSV_FIELD_LIMIT = 16 * 1024 * 1024

#: Longest path shown in a message, in characters (longer ones are shortened in the middle).
_SHOWN_PATH = 160


class FixtureError(Exception):
    """A fixture file, row or value that cannot be loaded.

    :param path: the file.
    :param where: ``"line 5"`` / ``"item 3"``, or ``None`` for the whole file.
    :param column: the column concerned, if known.
    :param message: what is wrong.
    """

    def __init__(self, path: Path, where: str | None, column: str | None, message: str) -> None:
        self.path = path
        self.where = where
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [display_path(self.path)]
        if self.where:
            parts.append(self.where)
        if self.column:
            parts.append(f"column {self.column!r}")
        return f"{', '.join(parts)}: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else as given.

    A path longer than 160 characters is shortened in the middle.
    """
    try:
        text = str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        text = str(path)
    if len(text) > _SHOWN_PATH:
        text = f"{text[:80]}...{text[-60:]} ({len(text)} characters)"
    return text


@dataclass
class FixtureFile:
    """One file to load into the table named by its stem."""

    path: Path
    #: the longest CSV field, in characters (``DB_FIXTURES_CSV_FIELD_LIMIT``)
    csv_field_limit: int = CSV_FIELD_LIMIT

    @property
    def table_name(self) -> str:
        """The table name: the file name without its suffix (``users.csv`` -> ``users``)."""
        return self.path.stem

    @property
    def size(self) -> int:
        """Size in bytes (for the progress bar)."""
        return self.path.stat().st_size


def find_files(path: Path, csv_field_limit: int = CSV_FIELD_LIMIT) -> list[FixtureFile]:
    """The fixture files of a file or a folder (its ``.csv``/``.json``/``.jsonl`` files, sorted).

    :raises FixtureError: when the path does not exist, cannot be read (too long a name, no
        permission), or is a file of another format.
    """
    try:
        if path.is_dir():
            return [
                FixtureFile(p, csv_field_limit)
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in SUFFIXES
            ]
        exists = path.exists()
    except OSError as exc:
        raise FixtureError(path, None, None, f"cannot read: {exc.strerror or exc}") from None
    if not exists:
        raise FixtureError(path, None, None, "no such file or folder")
    if path.suffix.lower() not in SUFFIXES:
        raise FixtureError(path, None, None, "not a .csv, .json or .jsonl file")
    return [FixtureFile(path, csv_field_limit)]


#: ``(number, column names, values)``: CSV values are the cells (a list); JSON values are the
#: object itself (a dict, in the order of the names).
Record = tuple[int, tuple[str, ...], Any]


class LongInteger(str):
    """The digits of a JSON integer too long for :func:`int` (over 4300 digits).

    Kept as text so that the converter reports it with its line and column.
    """


def _parse_int(digits: str) -> Any:
    try:
        return int(digits)
    except ValueError:
        return LongInteger(digits)


#: JSON decoding that keeps over-long integers as :class:`LongInteger` (the slow path).
_PATIENT = json.JSONDecoder(parse_int=_parse_int)


def _deepest_line(text: str, depth_limit: int) -> int:
    """The line where JSON nesting first goes deeper than ``depth_limit`` (1 if never)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for char in text:
        if char == "\n":
            line += 1
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > depth_limit:
                return line
        elif char in "]}":
            depth -= 1
    return 1


class Reader:
    """Streams the records of one fixture file: ``(number, column names, values)``.

    ``number`` is the record's line (CSV, JSON Lines) or item (JSON array) number, as
    :attr:`unit` says. CSV records share one header tuple and give their cells as text, an empty
    cell meaning NULL; JSON records give their object's keys and values.

    :attr position: bytes consumed so far (approximate for text read ahead), for progress.
    """

    def __init__(self, fixture: FixtureFile) -> None:
        self.fixture = fixture
        suffix = fixture.path.suffix.lower()
        self.text = suffix == ".csv"
        self.unit = "item" if suffix == ".json" else "line"
        self.csv_field_limit = fixture.csv_field_limit
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        """Bytes read from the file so far."""
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[Record]:
        suffix = self.fixture.path.suffix.lower()
        try:
            raw = open(self.fixture.path, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise self._error(None, f"cannot read: {exc.strerror or exc}") from None
        with raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            try:
                if suffix == ".csv":
                    yield from self._csv(text)
                elif suffix == ".jsonl":
                    yield from self._jsonl(text)
                else:
                    yield from self._json(text)
            except UnicodeDecodeError as exc:
                raise self._not_utf8(exc) from None
            finally:
                text.detach()
                self._raw = None

    def _error(self, where: str | None, message: str) -> FixtureError:
        return FixtureError(self.fixture.path, where, None, message)

    def _not_utf8(self, exc: UnicodeDecodeError) -> FixtureError:
        """Name the first line holding a byte that is not UTF-8."""
        with open(self.fixture.path, "rb") as raw:
            for number, line in enumerate(raw, 1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as bad:
                    byte = line[bad.start]
                    return self._error(
                        f"line {number}",
                        f"not UTF-8 text: byte 0x{byte:02x} at byte {bad.start + 1} of the line "
                        "(save the file as UTF-8)",
                    )
        return self._error(None, f"not UTF-8 text ({exc.reason})")

    def _csv(self, text: IO[str]) -> Iterator[Record]:
        if csv.field_size_limit() != self.csv_field_limit:
            csv.field_size_limit(self.csv_field_limit)
        reader = csv.reader(text, strict=True)
        start = 1
        try:
            first = next(reader, None)
            if first is None:
                return
            header = tuple(first)
            seen: set[str] = set()
            for name in header:
                if name in seen:
                    raise self._error("line 1", f"the header names the column {name!r} twice")
                seen.add(name)
            width = len(header)
            start = reader.line_num + 1
            for cells in reader:
                if len(cells) != width:
                    if not cells:  # a blank line
                        start = reader.line_num + 1
                        continue
                    raise self._error(
                        f"line {reader.line_num}",
                        f"{len(cells)} cells, but the header has {width} columns",
                    )
                yield reader.line_num, header, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message:
                raise self._error(
                    f"line {start}",
                    "unclosed quote: the quoted field that opens on this line runs to the end "
                    "of the file",
                ) from None
            if "field larger than field limit" in message:
                raise self._error(
                    f"line {start}",
                    f"a field is longer than {self.csv_field_limit} characters (raise "
                    "DB_FIXTURES_CSV_FIELD_LIMIT)",
                ) from None
            raise self._error(f"line {reader.line_num}", f"bad CSV: {message}") from None

    def _jsonl(self, text: IO[str]) -> Iterator[Record]:
        # 1,000 lines at a time are decoded as one JSON array by the C decoder; a chunk that
        # does not decode so (a blank or bad line, two values on a line) is read line by line
        loads = json.loads
        number = 0
        while chunk := list(islice(text, 1000)):
            try:
                items = loads("[" + ",".join(chunk) + "]")
                if len(items) != len(chunk):
                    raise ValueError("not one value per line")
            except (ValueError, RecursionError):
                yield from self._jsonl_lines(chunk, number)
            else:
                for offset, item in enumerate(items, number + 1):
                    if type(item) is not dict:
                        where = f"line {offset}"
                        message = f"expected a JSON object, got {type(item).__name__}"
                        raise self._error(where, message)
                    yield offset, tuple(item), item
            number += len(chunk)

    def _jsonl_lines(self, lines: list[str], before: int) -> Iterator[Record]:
        """Decode lines one by one (the lines after line ``before``), naming a bad one."""
        for number, line in enumerate(lines, before + 1):
            if not line.strip():
                continue
            item = self._slow_json(line, f"line {number}")
            if type(item) is not dict:
                where = f"line {number}"
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield number, tuple(item), item

    def _slow_json(self, line: str, where: str) -> Any:
        """Decode one line, with json's own message (keeping an over-long integer)."""
        try:
            return _PATIENT.decode(line)
        except json.JSONDecodeError as exc:
            raise self._error(where, f"bad JSON: {exc.msg} (character {exc.colno})") from None
        except RecursionError:
            raise self._error(where, "bad JSON: nested too deeply") from None

    def _json(self, text: IO[str]) -> Iterator[Record]:
        content = text.read()
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise self._error(
                f"line {exc.lineno}", f"bad JSON: {exc.msg} (column {exc.colno})"
            ) from None
        except RecursionError:
            line = _deepest_line(content, sys.getrecursionlimit() // 2)
            raise self._error(f"line {line}", "bad JSON: nested too deeply") from None
        except ValueError:  # an integer of more than 4300 digits
            data = _PATIENT.decode(content)
        del content
        if not isinstance(data, list):
            raise self._error(None, "expected a JSON array of objects")
        for number, item in enumerate(data, 1):
            if type(item) is not dict:
                where = f"item {number}"
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield number, tuple(item), item
        del data
