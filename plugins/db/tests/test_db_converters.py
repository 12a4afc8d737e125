"""The row path and the batch path of every column type's converter give the same values.

Property-based (hypothesis): for any list of fixture values, converting them one by one with the
converter's row form and all at once with its batch form either gives equal values of equal types
or refuses in both; the same holds for whole records through the row plan.
"""

from __future__ import annotations

import enum
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_script_hub_db.converters import BadValue, converter_for
from flask_script_hub_db.records import FixtureError
from flask_script_hub_db.rowplan import RowConverter


class Colour(enum.Enum):
    red = "red"
    green = "green"


TYPES = {
    "Integer": sa.Integer(),
    "SmallInteger": sa.SmallInteger(),
    "BigInteger": sa.BigInteger(),
    "Float": sa.Float(),
    "Numeric": sa.Numeric(10, 2),
    "Boolean": sa.Boolean(),
    "Date": sa.Date(),
    "DateTime": sa.DateTime(),
    "Time": sa.Time(),
    "Uuid": sa.Uuid(),
    "LargeBinary": sa.LargeBinary(),
    "String": sa.String(6),
    "Text": sa.Text(),
    "Enum": sa.Enum("small", "large"),
    "EnumClass": sa.Enum(Colour),
    "JSON": sa.JSON(),
}

SAMPLES = [
    "yes",
    " yes",
    "No",
    "TRUE",
    "on",
    "t",
    "0",
    "1",
    "2",
    "-1",
    " 7 ",
    "1_000",
    "32767",
    "32768",
    "2147483648",
    "9223372036854775808",
    "9" * 30,
    "1.5",
    "1e400",
    "nan",
    "-inf",
    "abc",
    "",
    "2024-01-31",
    "2024-01-31T12:30:00",
    "12:30:00",
    "20240131",
    "small",
    "red",
    "12345678-1234-5678-1234-567812345678",
    "aGVsbG8=",
    "[1, 2]",
    '{"a": 1}',
    "[[[",
]

TEXT_VALUES = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=8),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
)
JSON_VALUES = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=8),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


def run_both(convert, values):
    try:
        expected = ("ok", [convert.one(v) for v in values])
    except BadValue:
        expected = ("bad", None)
    try:
        got = ("ok", list(convert.batch(list(values))))
    except BadValue:
        got = ("bad", None)
    return expected, got


def same(a, b) -> bool:
    """Equal values of equal types (NaN equal to NaN)."""
    return repr(a) == repr(b) and [type(x) for x in a[1] or []] == [type(x) for x in b[1] or []]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("type_name", sorted(TYPES))
@pytest.mark.parametrize("from_text", [True, False], ids=["csv", "json"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_row_and_batch_forms_agree(data, type_name, from_text, dialect):
    column = sa.Column("c", TYPES[type_name])
    sa.Table("t", sa.MetaData(), column)
    convert = converter_for(column, from_text, dialect)
    if convert is None:
        return
    values = data.draw(st.lists(TEXT_VALUES if from_text else JSON_VALUES, max_size=6))
    # a batch of good values too, so the fast paths are exercised
    good = [v for v in values if run_both(convert, [v])[0][0] == "ok"]
    for batch in (values, good, good * 3):
        expected, got = run_both(convert, batch)
        assert same(expected, got), (type_name, batch, expected, got)


def _table() -> sa.Table:
    return sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.SmallInteger),
        sa.Column("flag", sa.Boolean),
        sa.Column("day", sa.Date),
        sa.Column("name", sa.String(6)),
        sa.Column("price", sa.Numeric(10, 2)),
    )


@pytest.mark.parametrize("from_text", [True, False], ids=["csv", "json"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_row_plan_batch_and_row_paths_agree(data, from_text):
    table = _table()
    names = ("id", "n", "flag", "day", "name", "price")
    values = TEXT_VALUES if from_text else JSON_VALUES
    records = data.draw(st.lists(st.tuples(*(values for _ in names)), min_size=1, max_size=5))

    def make(i, cells):
        return (i + 2, names, list(cells) if from_text else dict(zip(names, cells, strict=True)))

    def convert(batch: bool):
        plan = RowConverter(table, Path("t.csv"), from_text, "line", "postgresql")
        built = [make(i, cells) for i, cells in enumerate(records)]
        try:
            if batch:
                return ("ok", repr(plan.batch(built)))
            return ("ok", repr([plan(*record) for record in built]))
        except FixtureError as exc:
            return ("bad", str(exc))

    assert convert(batch=True) == convert(batch=False)
