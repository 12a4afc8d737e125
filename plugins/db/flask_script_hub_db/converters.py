"""Per-type converters: fixture values (CSV text or JSON values) to a column's Python type.

One :class:`Converter` per column type. Its row form (:meth:`Converter.one`) is the rule; its
batch form (:meth:`Converter.batch`) is derived from it: a builtin tried on the whole column at C
speed (``int``, ``float``, ``date.fromisoformat``...), or a check by type alone for JSON values
that have the right type already, with the same bounds checked on the batch; anything else goes
through the row form. Both give the same values and refuse the same values (a hypothesis test
asserts it).

Values are converted before anything reaches the database, so that a bad value is reported with
its file, line and column on every database (SQLite would store ``"abc"`` in an INTEGER column).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

#: Boolean spellings, for CSV, JSON and JSON Lines alike (case and surrounding spaces ignored).
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})
_BOOL_HINT = " (use true/false, 1/0, yes/no, on/off)"

#: The exact spellings looked up by the batch form with the dict's (C) ``__getitem__``; others
#: (" Yes", "tRUE") go through :func:`to_bool`, which gives the same answer.
_EXACT_BOOLS = {v: True for w in TRUE_WORDS for v in (w, w.upper(), w.title())} | {
    v: False for w in FALSE_WORDS for v in (w, w.upper(), w.title())
}

_ISO_EXAMPLES = {"date": "2024-01-31", "datetime": "2024-01-31T12:30:00", "time": "12:30:00"}


class BadValue(ValueError):
    """A value that does not fit its column; the message is shown as it is."""


def show(value: Any, limit: int = 40) -> str:
    """``repr(value)``, shortened to ``limit`` characters with its length when longer."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, str | bytes) else len(text)
    return f"{text[: limit - 5]}...{text[-1]} ({size} characters)"


def to_bool(value: Any) -> bool:
    """The one boolean rule: ``bool``, ``0``/``1``, or a word of :data:`TRUE_WORDS` /
    :data:`FALSE_WORDS` in any case with spaces around.

    :raises BadValue: for anything else.
    """
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadValue(f"invalid boolean {show(value)}{_BOOL_HINT}")


#: Integer bounds by SQLAlchemy type, for backends with fixed-size integers.
_INT_BITS: list[tuple[type[Any], int]] = [
    (sa.SmallInteger, 16),
    (sa.BigInteger, 64),
    (sa.Integer, 32),
]


def integer_bounds(column_type: Any, dialect_name: str) -> tuple[int, int]:
    """The smallest and largest value an integer column holds.

    SQLite stores every integer in 64 bits; PostgreSQL and MySQL/MariaDB use 16 bits for
    ``SmallInteger``, 32 for ``Integer`` and 64 for ``BigInteger``.
    """
    bits = 64
    if dialect_name != "sqlite":
        for kind, size in _INT_BITS:
            if isinstance(column_type, kind):
                bits = size
                break
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _integer(low: int, high: int, name: str) -> Callable[[Any], int]:
    def one(value: Any) -> int:
        if type(value) is int:
            number = value
        elif isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                digits = value.strip().lstrip("+-")
                if digits.isdigit() and len(digits) > 18:
                    raise BadValue(
                        f"integer of {len(digits)} digits, out of range for {name} "
                        f"({low} to {high})"
                    ) from None
                raise BadValue(f"invalid integer {show(value)}") from None
        else:
            raise BadValue(f"invalid integer {show(value)}")
        if not low <= number <= high:
            shown = (
                str(number)
                if len(str(number)) <= 40
                else f"an integer of {len(str(number))} digits"
            )
            raise BadValue(f"{shown} is out of range for {name} ({low} to {high})")
        return number

    return one


def _float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise BadValue(f"number out of range {show(value)}") from None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise BadValue(f"invalid number {show(value)}")


def _decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            return decimal.Decimal(str(value).strip())
        except (decimal.InvalidOperation, ValueError):
            pass
    raise BadValue(f"invalid decimal number {show(value)}")


def _iso(kind: type[Any]) -> Callable[[Any], Any]:
    name = kind.__name__
    parse = kind.fromisoformat

    def one(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse(value)
            except ValueError:
                pass
        elif type(value) is kind:
            return value
        raise BadValue(f"invalid {name} {show(value)} (use ISO 8601, e.g. {_ISO_EXAMPLES[name]})")

    return one


def _uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadValue(f"invalid UUID {show(value)}") from None


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise BadValue(f"invalid base64 data {show(value)}") from None


def _text(length: int | None) -> Callable[[Any], str]:
    def one(value: Any) -> str:
        if type(value) is str:
            text = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            raise BadValue(f"expected text, got {show(value)}")
        if length is not None and len(text) > length:
            raise BadValue(f"{len(text)} characters, more than the column's {length}")
        return text

    return one


def _enum(column_type: sa.Enum) -> Callable[[Any], Any]:
    allowed = list(column_type.enums)
    members = column_type.enum_class

    def one(value: Any) -> Any:
        if (type(value) is str and value in allowed) or (
            members is not None and isinstance(value, members)
        ):
            return value
        raise BadValue(f"invalid choice {show(value)} (one of: {', '.join(allowed)})")

    return one


def _json_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise BadValue(f"invalid JSON {show(value)}: {exc.msg}") from None
    except RecursionError:
        raise BadValue("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise BadValue(f"invalid JSON: {exc}") from None


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Converter:
    """How values become one column type's Python values.

    :param one: the row form, the rule: a value -> the Python value; raises :class:`BadValue`.
    :param fast: a builtin giving the same result as ``one`` whenever it does not raise, tried
        on a whole batch first; ``None`` for none.
    :param typed: JSON value types that need no conversion (checked by type alone in a batch).
    :param low: the smallest number allowed (integers), checked on the batch's minimum.
    :param high: the largest number allowed (integers).
    :param length: the longest text allowed (strings), checked on the batch's longest.
    """

    one: Callable[[Any], Any]
    fast: Callable[[Any], Any] | None = None
    typed: frozenset[type] = frozenset()
    low: int | None = None
    high: int | None = None
    length: int | None = None

    def __call__(self, value: Any) -> Any:
        return self.one(value)

    def _bounded(self, values: Sequence[Any]) -> bool:
        if not values:
            return True
        if self.low is not None and self.high is not None:
            return bool(self.low <= min(values) and max(values) <= self.high)
        if self.length is not None:
            return bool(max(map(len, values)) <= self.length)
        return True

    def batch(self, values: Sequence[Any]) -> Sequence[Any]:
        """The batch form: the values of one column of a batch of rows, converted.

        Gives what ``[self.one(v) for v in values]`` gives, and raises :class:`BadValue` when it
        would (not necessarily for the same value: convert row by row to find it).
        """
        if self.typed and set(map(type, values)) <= self.typed and self._bounded(values):
            return values
        if self.fast is not None:
            try:
                converted = list(map(self.fast, values))
            except (ValueError, TypeError, KeyError, OverflowError):
                pass
            else:
                if self._bounded(converted):
                    return converted
        return list(map(self.one, values))


def converter_for(column: sa.Column[Any], from_text: bool, dialect_name: str) -> Converter | None:
    """The converter of a column's type.

    :param column: the table column.
    :param from_text: the values come from CSV (all text), not JSON (typed values).
    :param dialect_name: the bind's backend (``"sqlite"``, ``"postgresql"``, ``"mysql"``...),
        for integer bounds.
    :returns: a converter, or ``None`` to pass values through unchanged (types without a Python
        type, and text columns of CSV files without a length).
    """
    column_type = column.type
    if isinstance(column_type, sa.Enum):
        return Converter(_enum(column_type))
    if isinstance(column_type, sa.JSON):
        return Converter(_json_text) if from_text else None
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return None
    if python_type is bool:
        return Converter(
            to_bool, fast=_EXACT_BOOLS.__getitem__ if from_text else None, typed=frozenset({bool})
        )
    if python_type is int:
        low, high = integer_bounds(column_type, dialect_name)
        name = type(column_type).__name__.upper()
        return Converter(
            _integer(low, high, name),
            fast=int if from_text else None,
            typed=frozenset({int}),
            low=low,
            high=high,
        )
    if python_type is float:
        return Converter(_float, fast=float if from_text else None, typed=frozenset({float}))
    if python_type is decimal.Decimal:
        return Converter(_decimal)
    if python_type in (datetime.datetime, datetime.date, datetime.time):
        return Converter(_iso(python_type), fast=python_type.fromisoformat)
    if python_type is uuid.UUID:
        return Converter(_uuid)
    if python_type is bytes:
        return Converter(_bytes)
    if python_type is str:
        length = getattr(column_type, "length", None)
        if from_text and length is None:
            return None  # CSV cells are text already
        return Converter(
            _text(length),
            fast=_same if from_text else None,
            typed=frozenset({str}),
            length=length,
        )
    return None
