"""The row plan: which column each field of a record goes to, and its converter.

:class:`RowConverter` turns the records of one file (:mod:`.records`) into parameter dicts keyed
by column key, with the converters of :mod:`.converters`: record by record (the row path), or a
batch at a time column by column (the batch path), which gives the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from .converters import BadValue, Converter, converter_for
from .records import FixtureError, Record


class Values(NamedTuple):
    """Converted rows as tuples: ``rows[i][j]`` is the value of column key ``keys[j]``."""

    keys: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column key."""
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows]


#: ``(name in the file, column key, converter, nullable, primary key)``
Step = tuple[str, str, Converter | None, bool, bool]


class RowConverter:
    """Turns the records of one file into parameter dicts keyed by column key.

    Unknown column names, bad values and NULL in a NOT NULL column raise :class:`FixtureError`.
    A NULL (or absent) primary key column is left out, so that the database assigns it. In CSV an
    empty cell is NULL.

    :param dialect_name: the bind's backend, for integer bounds.
    """

    def __init__(
        self,
        table: sa.Table,
        path: Path,
        from_text: bool,
        unit: str = "line",
        dialect_name: str = "sqlite",
    ) -> None:
        self.table = table
        self.path = path
        self.from_text = from_text
        self.unit = unit
        self.dialect_name = dialect_name
        self.by_name = {column.name: column for column in table.columns}
        self._empty = "" if from_text else None
        self._plans: dict[tuple[str, ...], list[Step]] = {}
        self._names: tuple[str, ...] | None = None
        self._plan: list[Step] = []
        self._keys: list[str] = []
        self._converting: list[tuple[str, Converter, str]] = []
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
            convert = converter_for(column, self.from_text, self.dialect_name)
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
        plan = self._plans.get(names)
        if plan is None:
            plan = self._plans[names] = self._make_plan(names, number)
        self._names, self._plan = names, plan
        self._keys = [key for _, key, _, _, _ in plan]
        self._converting = [(key, convert, name) for name, key, convert, _, _ in plan if convert]

    def _bad(self, number: int, name: str, exc: BadValue) -> FixtureError:
        return FixtureError(self.path, f"{self.unit} {number}", name, str(exc))

    def __call__(self, number: int, names: tuple[str, ...], values: Any) -> dict[str, Any]:
        """Convert one record (see :class:`~flask_script_hub_db.records.Reader`): the row path.

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
                row[key] = convert.one(row[key])
            except BadValue as exc:
                raise self._bad(number, name, exc) from None
        return row

    def batch(self, records: Sequence[Record]) -> list[dict[str, Any]]:
        """Convert records column by column (the batch path) when they share their columns and
        hold no NULL; otherwise, or when a value is bad, record by record (which names it).

        :raises FixtureError: naming the record and the column.
        """
        if not records:
            return []
        number, names, _ = records[0]
        if all(n is names or n == names for _, n, _ in records):
            if names is not self._names:
                self._switch(names, number)
            rows = self._batch(records)
            if rows is not None:
                return rows
        return [self(*record) for record in records]

    def _batch(self, records: Sequence[Record]) -> list[dict[str, Any]] | None:
        empty = self._empty
        keys = self._keys
        if self.from_text:
            cells = [values for _, _, values in records]
            if any(empty in values for values in cells):
                return None
            rows = [dict(zip(keys, values, strict=False)) for values in cells]
        else:
            # the JSON objects themselves become the rows: only converted columns are rewritten
            if any(name != key for name, key, _, _, _ in self._plan):
                return None
            rows = [item for _, _, item in records]
            if any(None in item.values() for item in rows):
                return None
        for key, convert, _ in self._converting:
            values = list(map(itemgetter(key), rows))
            try:
                new = convert.batch(values)
            except BadValue:
                return None
            if new is not values:
                for row, value in zip(rows, new, strict=False):
                    row[key] = value
        return rows

    def batch_values(self, records: Sequence[Record]) -> Values | None:
        """The batch path giving value tuples in column order instead of dicts (for COPY).

        :returns: ``None`` when the records differ in their columns, hold a NULL or a bad
            value: convert them with :meth:`batch` then.
        """
        if not records:
            return None
        number, names, _ = records[0]
        if not all(n is names or n == names for _, n, _ in records):
            return None
        if names is not self._names:
            self._switch(names, number)
        empty = self._empty
        if self.from_text:
            cells = [values for _, _, values in records]
            if any(empty in values for values in cells):
                return None
            columns: list[Sequence[Any]] = list(zip(*cells, strict=True))
        else:
            items = [item for _, _, item in records]
            if any(None in item.values() for item in items):
                return None
            columns = [list(map(itemgetter(name), items)) for name in names]
        for index, (_, _, convert, _, _) in enumerate(self._plan):
            if convert is not None:
                try:
                    columns[index] = convert.batch(columns[index])
                except BadValue:
                    return None
        return Values(tuple(self._keys), list(zip(*columns, strict=True)))

    def _with_nulls(self, number: int, values: Sequence[Any]) -> dict[str, Any]:
        """The row path for records with NULL values."""
        self.irregular = True
        row: dict[str, Any] = {}
        empty = self._empty
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
                    row[key] = convert.one(value)
                except BadValue as exc:
                    raise self._bad(number, name, exc) from None
        return row
