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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
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

#: ``(number, column names, values)``: CSV values are the cells (a list); JSON values are the
#: object itself (a dict, in the order of the names).
Record = tuple[int, tuple[str, ...], Any]


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

    def _csv(self, text: IO[str]) -> Iterator[Record]:
        reader = csv.reader(text, strict=True)
        try:
            first = next(reader, None)
            if first is None:
                return
            header = tuple(first)
            width = len(header)
            for cells in reader:
                if len(cells) != width:
                    if not cells:  # a blank line
                        continue
                    raise self._error(
                        f"line {reader.line_num}",
                        f"{len(cells)} cells, but the header has {width} columns",
                    )
                yield reader.line_num, header, cells
        except csv.Error as exc:
            raise self._error(f"line {reader.line_num}", f"bad CSV: {exc}") from None

    def _jsonl(self, text: IO[str]) -> Iterator[Record]:
        # the decoder's C scanner directly: json.loads() adds two Python calls and a regex per line
        scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
        for number, line in enumerate(text, 1):
            try:
                item, end = scan(line, 0)
                if end != len(line) and not line.isspace() and line[end:].strip():
                    raise ValueError("extra data")
            except (StopIteration, ValueError):
                if not line.strip():
                    continue
                try:  # for json's own message
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    message = f"bad JSON: {exc.msg} (character {exc.colno})"
                    raise self._error(f"line {number}", message) from None
            if type(item) is not dict:
                where = f"line {number}"
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield number, tuple(item), item

    def _json(self, text: IO[str]) -> Iterator[Record]:
        try:
            data = json.load(text)
        except json.JSONDecodeError as exc:
            raise self._error(
                f"line {exc.lineno}", f"bad JSON: {exc.msg} (column {exc.colno})"
            ) from None
        if not isinstance(data, list):
            raise self._error(None, "expected a JSON array of objects")
        for number, item in enumerate(data, 1):
            if type(item) is not dict:
                where = f"item {number}"
                raise self._error(where, f"expected a JSON object, got {type(item).__name__}")
            yield number, tuple(item), item
        del data


# -- converting ------------------------------------------------------------------------------


class BadValue(ValueError):
    """A value that does not fit its column; the message is shown as it is."""


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})
_BOOL_HINT = " (use true/false, 1/0, yes/no)"


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
    raise BadValue(f"invalid boolean {value!r}{_BOOL_HINT}")


def _to_int(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise BadValue(f"invalid integer {value!r}")


def _to_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise BadValue(f"invalid number {value!r}")


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            return decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            pass
    raise BadValue(f"invalid decimal number {value!r}")


_ISO_EXAMPLES = {"date": "2024-01-31", "datetime": "2024-01-31T12:30:00", "time": "12:30:00"}


def _iso(kind: type[Any]) -> Converter:
    name = kind.__name__
    parse = kind.fromisoformat

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse(value)
            except ValueError:
                pass
        elif isinstance(value, kind) and (
            kind is datetime.datetime or not isinstance(value, datetime.datetime)
        ):
            return value
        raise BadValue(f"invalid {name} {value!r} (use ISO 8601, e.g. {_ISO_EXAMPLES[name]})")

    return convert


def _to_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadValue(f"invalid UUID {value!r}") from None


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise BadValue(f"invalid base64 data {value!r}") from None


def _text(length: int | None, from_text: bool) -> Converter | None:
    if from_text and length is None:
        return None  # CSV cells are text already

    def convert(value: Any) -> str:
        if isinstance(value, str):
            text = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            raise BadValue(f"expected text, got {json.dumps(value)}")
        if length is not None and len(text) > length:
            raise BadValue(f"{len(text)} characters, more than the column's {length}")
        return text

    return convert


def _enum(column_type: sa.Enum) -> Converter:
    allowed = list(column_type.enums)
    members = column_type.enum_class

    def convert(value: Any) -> Any:
        if value in allowed or (members is not None and isinstance(value, members)):
            return value
        raise BadValue(f"invalid choice {value!r} (one of: {', '.join(allowed)})")

    return convert


def _json_value(from_text: bool) -> Converter:
    def convert(value: Any) -> Any:
        if from_text and isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise BadValue(f"invalid JSON {value!r}: {exc.msg}") from None
        return value

    return convert


def _variants(words: frozenset[str]) -> list[str]:
    return [v for w in words for v in (w, w.upper(), w.title())]


#: CSV spellings of booleans, looked up with the dict's (C) ``__getitem__``.
_TEXT_BOOLS_EXACT = {w: True for w in _variants(_TRUE)} | {w: False for w in _variants(_FALSE)}

#: Messages for the ValueError/TypeError/KeyError of builtin text converters, by converter.
_MESSAGES: dict[Any, str] = {
    int: "invalid integer {value!r}",
    float: "invalid number {value!r}",
    _TEXT_BOOLS_EXACT.__getitem__: "invalid boolean {value!r}" + _BOOL_HINT,
    datetime.date.fromisoformat: "invalid date {value!r} (use ISO 8601, e.g. 2024-01-31)",
    datetime.datetime.fromisoformat: (
        "invalid datetime {value!r} (use ISO 8601, e.g. 2024-01-31T12:30:00)"
    ),
    datetime.time.fromisoformat: "invalid time {value!r} (use ISO 8601, e.g. 12:30:00)",
}


def describe_error(convert: Converter, value: Any, exc: Exception) -> str:
    """The message for a converter's exception: a :class:`BadValue`'s own, else a template's."""
    if isinstance(exc, BadValue):
        return str(exc)
    template = _MESSAGES.get(convert)
    return template.format(value=value) if template else f"invalid value {value!r}: {exc}"


def converter_for(column: sa.Column[Any], from_text: bool) -> Converter | None:
    """The function that turns a fixture value into the column's Python type.

    :param column: the table column.
    :param from_text: the values come from CSV (all text), not JSON (typed values).
    :returns: a converter, or ``None`` to pass values through unchanged (text columns of CSV
        files, types without a Python type). It raises :class:`BadValue`, or for CSV a builtin's
        ``ValueError``/``KeyError``/``TypeError``: :func:`describe_error` makes the message.
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
    if from_text and python_type in (int, float):
        return python_type
    if from_text and python_type in (datetime.datetime, datetime.date, datetime.time):
        return python_type.fromisoformat  # type: ignore[no-any-return]
    if python_type is bool:
        return _TEXT_BOOLS_EXACT.__getitem__ if from_text else _to_bool
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
        return _text(getattr(column_type, "length", None), from_text)
    return None


ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]


def _same(values: Sequence[Any]) -> Sequence[Any]:
    return values


def column_converter(
    column: sa.Column[Any], from_text: bool, convert: Converter | None
) -> ColumnConverter:
    """The batch form of a converter: it converts one column of a batch of rows at once.

    Builtins are mapped over the column (``map(int, cells)`` runs in C); JSON values of the right
    type already are checked by type alone. It raises on any bad value without saying which: the
    caller then converts the batch row by row with :func:`converter_for`'s converter, which names
    the row and the value.
    """
    if convert is None:
        return _same
    column_type = column.type
    try:
        python_type = (
            None if isinstance(column_type, sa.Enum | sa.JSON) else column_type.python_type
        )
    except NotImplementedError:
        python_type = None
    length = getattr(column_type, "length", None) if python_type is str else None

    def checked_length(values: Sequence[Any]) -> Sequence[Any]:
        if length is not None and values and max(map(len, values)) > length:
            raise BadValue("too long")
        return values

    if from_text:
        builtin = convert if convert in _MESSAGES or convert in (int, float) else None
        if builtin is not None:
            return lambda values: list(map(builtin, values))
        if python_type is str:
            return checked_length

    iso = getattr(python_type, "fromisoformat", None) if python_type is not None else None
    accepted: set[type] = set()
    if python_type is float:
        accepted = {float, int}
    elif isinstance(python_type, type):
        accepted = {python_type}

    def typed(values: Sequence[Any]) -> Sequence[Any]:
        types = set(map(type, values))
        if types <= accepted:
            return checked_length(values)
        if iso is not None and types == {str}:
            return list(map(iso, values))
        return [convert(value) for value in values]

    return typed


Step = tuple[str, str, "Converter | None", bool, bool]


class RowConverter:
    """Turns the records of one file into parameter dicts keyed by column key.

    Unknown column names, bad values and NULL in a NOT NULL column raise :class:`FixtureError`.
    A NULL (or absent) primary key column is left out, so that the database assigns it. In CSV an
    empty cell is NULL.
    """

    def __init__(self, table: sa.Table, path: Path, from_text: bool, unit: str = "line") -> None:
        self.table = table
        self.path = path
        self.from_text = from_text
        self.unit = unit
        self.by_name = {column.name: column for column in table.columns}
        self._empty = "" if from_text else None
        self._plans: dict[tuple[str, ...], list[Step]] = {}
        self._names: tuple[str, ...] | None = None
        self._plan: list[Step] = []
        self._keys: list[str] = []
        self._converting: list[tuple[str, Converter, str]] = []
        self._columns: list[ColumnConverter] = []
        self._text_columns: list[tuple[str, ColumnConverter]] = []
        #: set when a record had NULL values or other columns than the first: the rows of a
        #: batch may then have different keys (reset it per batch)
        self.irregular = False

    def _make_plan(self, names: tuple[str, ...], number: int) -> list[Step]:
        plan: list[Step] = []
        for name in names:
            column = self.by_name.get(name)
            if column is None:
                known = ", ".join(self.by_name)
                raise FixtureError(
                    self.path,
                    f"{self.unit} {number}",
                    name,
                    f"the table {self.table.name!r} has no such column (columns: {known})",
                )
            convert = converter_for(column, self.from_text)
            plan.append(
                (name, column.key, convert, column.nullable is not False, column.primary_key)
            )
        return plan

    def _switch(self, names: tuple[str, ...], number: int) -> None:
        """Use the plan of ``names`` (JSON objects bring equal, not identical, name tuples)."""
        if names == self._names:
            self._names = names
            return
        if self._names is not None:
            self.irregular = True
        self._use_plan(names, number)

    def _use_plan(self, names: tuple[str, ...], number: int) -> None:
        plan = self._plans.get(names)
        if plan is None:
            plan = self._plans[names] = self._make_plan(names, number)
        self._names, self._plan = names, plan
        self._keys = [key for _, key, _, _, _ in plan]
        self._converting = [(key, convert, name) for name, key, convert, _, _ in plan if convert]
        self._columns = [
            column_converter(self.by_name[name], self.from_text, convert)
            for name, _, convert, _, _ in plan
        ]
        self._text_columns = [
            (key, column)
            for (_, key, convert, _, _), column in zip(plan, self._columns, strict=False)
            if convert is not None
        ]

    def __call__(self, number: int, names: tuple[str, ...], values: Any) -> dict[str, Any]:
        """Convert one record (see :class:`Reader`).

        :raises FixtureError: naming the record and the column.
        """
        if names is not self._names:
            self._switch(names, number)
        if type(values) is dict:
            values = list(values.values())
        if self._empty in values:
            return self._with_nulls(number, values)
        row = dict(zip(self._keys, values, strict=False))
        for key, convert, name in self._converting:
            try:
                row[key] = convert(row[key])
            except (ValueError, TypeError, KeyError) as exc:
                message = describe_error(convert, row[key], exc)
                raise FixtureError(self.path, f"{self.unit} {number}", name, message) from None
        return row

    def batch(self, records: Sequence[Record]) -> list[dict[str, Any]]:
        """Convert records column by column when they share their columns and have no NULL.

        Falls back to :meth:`__call__` row by row (which names a bad row) otherwise.

        :raises FixtureError: naming the record and the column.
        """
        if not records:
            return []
        number, names, _ = records[0]
        if all(n is names or n == names for _, n, _ in records):
            if names is not self._names:
                self._switch(names, number)
            rows = self._csv_batch(records) if self.from_text else self._json_batch(records)
            if rows is not None:
                return rows
        return [self(*record) for record in records]

    def _csv_batch(self, records: Sequence[Record]) -> list[dict[str, Any]] | None:
        cells = [values for _, _, values in records]
        if any("" in values for values in cells):
            return None
        keys = self._keys
        rows = [dict(zip(keys, values, strict=False)) for values in cells]
        for key, convert in self._text_columns:
            try:
                new = convert(list(map(itemgetter(key), rows)))
            except (ValueError, TypeError, KeyError):
                return None
            for row, value in zip(rows, new, strict=False):
                row[key] = value
        return rows

    def _json_batch(self, records: Sequence[Record]) -> list[dict[str, Any]] | None:
        """The JSON objects themselves become the rows: only converted columns are rewritten."""
        items: list[dict[str, Any]] = [item for _, _, item in records]
        for (name, key, _, _, _), convert in zip(self._plan, self._columns, strict=False):
            if name != key:
                return None
            values = list(map(itemgetter(name), items))
            if None in values:
                return None
            try:
                new = convert(values)
            except (ValueError, TypeError, KeyError):
                return None
            if new is not values:
                for item, value in zip(items, new, strict=False):
                    item[name] = value
        return items

    def _with_nulls(self, number: int, values: Sequence[Any]) -> dict[str, Any]:
        """The slow path of :meth:`__call__`, for records with NULL values."""
        self.irregular = True
        row: dict[str, Any] = {}
        empty = "" if self.from_text else None
        for (name, key, convert, nullable, primary), value in zip(self._plan, values, strict=False):
            if value is None or value == empty:
                if primary:
                    continue
                if not nullable:
                    raise FixtureError(
                        self.path,
                        f"{self.unit} {number}",
                        name,
                        "empty, but the column is NOT NULL",
                    )
                row[key] = None
            elif convert is None:
                row[key] = value
            else:
                try:
                    row[key] = convert(value)
                except (ValueError, TypeError, KeyError) as exc:
                    message = describe_error(convert, value, exc)
                    raise FixtureError(self.path, f"{self.unit} {number}", name, message) from None
        return row
