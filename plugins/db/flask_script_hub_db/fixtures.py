"""Fixture files: finding them, streaming their rows, converting values to column types.

Formats (the file's stem is the table name):

* ``.csv``: a header row of column names, then one row per line (the :mod:`csv` module, UTF-8,
  an optional BOM); an empty cell is NULL. Streamed.
* ``.jsonl``: JSON Lines, one object (column -> value) per line. Streamed: the format for big files.
* ``.json``: an array of objects (column -> value), read whole with :func:`json.load`, so its
  memory grows with the file; use ``.jsonl`` for big data.

Values are converted to the column's Python type before anything reaches the database, so that a
bad value is reported with its file, line and column on every database (SQLite would store
``"abc"`` in an INTEGER column).
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

SUFFIXES = (".csv", ".json", ".jsonl")

Converter = Callable[[Any], Any]


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
    """The path relative to the working directory when it is below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class FixtureFile:
    """One file to load into the table named by its stem."""

    path: Path

    @property
    def table_name(self) -> str:
        """The table name: the file name without its suffix (``users.csv`` -> ``users``)."""
        return self.path.stem

    @property
    def size(self) -> int:
        """Size in bytes (for the progress bar)."""
        return self.path.stat().st_size


def find_files(path: Path) -> list[FixtureFile]:
    """The fixture files of a file or a folder (its ``.csv``/``.json``/``.jsonl`` files, sorted).

    :raises FixtureError: when the path does not exist or is a file of another format.
    """
    if path.is_dir():
        return [
            FixtureFile(p)
            for p in sorted(path.iterdir())
            if p.is_file() and p.suffix.lower() in SUFFIXES
        ]
    if not path.exists():
        raise FixtureError(path, None, None, "no such file or folder")
    if path.suffix.lower() not in SUFFIXES:
        raise FixtureError(path, None, None, "not a .csv, .json or .jsonl file")
    return [FixtureFile(path)]


# -- reading ---------------------------------------------------------------------------------


class Reader:
    """Streams ``(where, {column name: raw value})`` from one fixture file.

    :attr position: bytes consumed so far (approximate for text read ahead), for progress.
    """

    def __init__(self, fixture: FixtureFile) -> None:
        self.fixture = fixture
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        """Bytes read from the file so far."""
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        suffix = self.fixture.path.suffix.lower()
        with open(self.fixture.path, "rb") as raw:
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
                raise FixtureError(
                    self.fixture.path, None, None, f"not UTF-8 text ({exc.reason})"
                ) from None
            finally:
                text.detach()
                self._raw = None

    def _error(self, where: str | None, message: str) -> FixtureError:
        return FixtureError(self.fixture.path, where, None, message)

    def _csv(self, text: IO[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                return
            width = len(header)
            for cells in reader:
                if not cells:  # a blank line
                    continue
                where = f"line {reader.line_num}"
                if len(cells) != width:
                    raise self._error(
                        where, f"{len(cells)} cells, but the header has {width} columns"
                    )
                yield (
                    where,
                    {
                        name: (cell if cell != "" else None)
                        for name, cell in zip(header, cells, strict=True)
                    },
                )
        except csv.Error as exc:
            raise self._error(f"line {reader.line_num}", f"bad CSV: {exc}") from None

    def _jsonl(self, text: IO[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise self._error(where, f"bad JSON: {exc.msg} (character {exc.colno})") from None
            if not isinstance(item, dict):
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield where, item

    def _json(self, text: IO[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            data = json.load(text)
        except json.JSONDecodeError as exc:
            raise self._error(
                f"line {exc.lineno}", f"bad JSON: {exc.msg} (column {exc.colno})"
            ) from None
        if not isinstance(data, list):
            raise self._error(None, "expected a JSON array of objects")
        for number, item in enumerate(data, 1):
            where = f"item {number}"
            if not isinstance(item, dict):
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield where, item


# -- converting ------------------------------------------------------------------------------

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ValueError(f"invalid boolean {value!r} (use true/false, 1/0, yes/no)")


def _to_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValueError(f"invalid integer {value!r}")


def _to_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"invalid number {value!r}")


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            return decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            pass
    raise ValueError(f"invalid decimal number {value!r}")


def _iso(kind: type[Any]) -> Converter:
    name = kind.__name__

    def convert(value: Any) -> Any:
        if isinstance(value, kind) and (
            kind is datetime.datetime or not isinstance(value, datetime.datetime)
        ):
            return value
        if isinstance(value, str):
            try:
                return kind.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(f"invalid {name} {value!r} (use ISO 8601, e.g. {_ISO_EXAMPLES[name]})")

    return convert


_ISO_EXAMPLES = {"date": "2024-01-31", "datetime": "2024-01-31T12:30:00", "time": "12:30:00"}


def _to_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(f"invalid UUID {value!r}") from None


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise ValueError(f"invalid base64 data {value!r}") from None


def _text(length: int | None) -> Converter:
    def convert(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"expected text, got {json.dumps(value)}")
        text = value if isinstance(value, str) else str(value)
        if length is not None and len(text) > length:
            raise ValueError(f"{len(text)} characters, more than the column's {length}")
        return text

    return convert


def _enum(column_type: sa.Enum) -> Converter:
    allowed = list(column_type.enums)
    members = column_type.enum_class

    def convert(value: Any) -> Any:
        if value in allowed or (members is not None and isinstance(value, members)):
            return value
        raise ValueError(f"invalid choice {value!r} (one of: {', '.join(allowed)})")

    return convert


def _json_value(from_text: bool) -> Converter:
    def convert(value: Any) -> Any:
        if from_text and isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"invalid JSON {value!r}: {exc.msg}") from None
        return value

    return convert


def converter_for(column: sa.Column[Any], from_text: bool) -> Converter | None:
    """The function that turns a fixture value into the column's Python type.

    :param column: the table column.
    :param from_text: the values come from CSV (all text): JSON columns then parse their cell.
    :returns: a converter raising ``ValueError`` with a short message, or ``None`` to pass
        values through unchanged (types without a known Python type).
    """
    column_type = column.type
    if isinstance(column_type, sa.Enum):
        return _enum(column_type)
    if isinstance(column_type, sa.JSON):
        return _json_value(from_text)
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return None
    if python_type is bool:
        return _to_bool
    if python_type is int:
        return _to_int
    if python_type is float:
        return _to_float
    if python_type is decimal.Decimal:
        return _to_decimal
    if python_type in (datetime.datetime, datetime.date, datetime.time):
        return _iso(python_type)
    if python_type is uuid.UUID:
        return _to_uuid
    if python_type is bytes:
        return _to_bytes
    if python_type is str:
        return _text(getattr(column_type, "length", None))
    return None


class RowConverter:
    """Turns raw rows of one file into parameter dicts keyed by column key.

    Unknown column names, bad values and NULL in a NOT NULL column raise :class:`FixtureError`.
    A NULL (or absent) primary key column is left out, so the database assigns it.
    """

    def __init__(self, table: sa.Table, path: Path, from_text: bool) -> None:
        self.table = table
        self.path = path
        self.from_text = from_text
        self.by_name = {column.name: column for column in table.columns}
        self.primary_key = [column.key for column in table.primary_key.columns]
        self._plans: dict[tuple[str, ...], list[tuple[str, str, Converter | None, bool, bool]]] = {}

    def _plan(
        self, names: tuple[str, ...], where: str
    ) -> list[tuple[str, str, Converter | None, bool, bool]]:
        plan = []
        for name in names:
            column = self.by_name.get(name)
            if column is None:
                known = ", ".join(self.by_name)
                raise FixtureError(
                    self.path,
                    where,
                    name,
                    f"the table {self.table.name!r} has no such column (columns: {known})",
                )
            plan.append(
                (
                    name,
                    column.key,
                    converter_for(column, self.from_text),
                    column.nullable is not False,
                    column.primary_key,
                )
            )
        return plan

    def __call__(self, where: str, raw: dict[str, Any]) -> dict[str, Any]:
        names = tuple(raw)
        plan = self._plans.get(names)
        if plan is None:
            plan = self._plans[names] = self._plan(names, where)
        row: dict[str, Any] = {}
        for name, key, convert, nullable, primary in plan:
            value = raw[name]
            if value is None:
                if primary:
                    continue
                if not nullable:
                    raise FixtureError(self.path, where, name, "empty, but the column is NOT NULL")
                row[key] = None
                continue
            if convert is not None:
                try:
                    value = convert(value)
                except ValueError as exc:
                    raise FixtureError(self.path, where, name, str(exc)) from None
            row[key] = value
        return row
