"""Hostile fixture input: each problem is one line naming file, line and column; nothing loads.

Duplicate primary keys and CSV headers, big CSV fields, integers out of range or thousands of
digits long, deep JSON, bytes that are not UTF-8, an unclosed quote, an over-long path, one
boolean rule for every format, and column names from the drivers' structured diagnostics.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa


def rel(path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def one_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def backend(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_duplicate_primary_key_in_one_file_is_an_error_on_a_table_with_rows(
    make_project, any_url, suffix
):
    project = make_project(any_url)
    project.create()
    assert (
        project.invoke(
            "db", "populate", str(project.write("a/users.csv", "id,name\n1,Ann\n"))
        ).exit_code
        == 0
    )
    rows = [{"id": 2, "name": "Bob"}, {"id": 3, "name": "Cid"}, {"id": 2, "name": "Bobby"}]
    if suffix == ".csv":
        text = "id,name\n" + "".join(f"{r['id']},{r['name']}\n" for r in rows)
        where, first = "line 4", "line 2"
    elif suffix == ".jsonl":
        text = "".join(json.dumps(r) + "\n" for r in rows)
        where, first = "line 3", "line 1"
    else:
        text = json.dumps(rows)
        where, first = "item 3", "item 1"
    bad = project.write(f"b/users{suffix}", text)
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line == (
        f"error: {rel(bad)}, {where}, column 'id': duplicate primary key (2), first given on "
        f"{first}; nothing was loaded (rolled back)"
    )
    assert project.rows("SELECT id, name FROM users ORDER BY id") == [(1, "Ann")]


def test_duplicate_primary_key_on_an_empty_table_is_refused(project):
    project.create()
    bad = project.write("b/users.csv", "id,name\n1,Ann\n1,Bob\n")
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(f"error: {rel(bad)}, line 3, column 'id': "), line
    assert project.count("users") == 0


def test_duplicate_csv_header_is_an_error(project):
    project.create()
    bad = project.write("b/users.csv", "id,name,name\n1,Ann,Bob\n")
    assert one_error(project.invoke("db", "populate", str(bad))) == (
        f"error: {rel(bad)}, line 1: the header names the column 'name' twice; "
        "nothing was loaded (rolled back)"
    )


def test_big_csv_fields_load_up_to_the_configured_limit(make_project):
    project = make_project()
    db = project.db

    class Doc(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "docs"
        id = sa.Column(sa.Integer, primary_key=True)
        body = sa.Column(sa.Text)

    project.create()
    body = "x" * (1024 * 1024)  # 1 MiB: over Python's csv default of 128 KiB
    docs = project.write("d/docs.csv", f'id,body\n1,"{body}"\n2,short\n')
    result = project.invoke("db", "populate", str(docs))
    assert result.exit_code == 0, result.output
    assert project.rows("SELECT id, LENGTH(body) FROM docs ORDER BY id") == [(1, len(body)), (2, 5)]

    project.app.config["DB_FIXTURES_CSV_FIELD_LIMIT"] = 1000
    assert one_error(project.invoke("db", "populate", str(docs))) == (
        f"error: {rel(docs)}, line 2: a field is longer than 1000 characters (raise "
        "DB_FIXTURES_CSV_FIELD_LIMIT); nothing was loaded (rolled back)"
    )


def test_integer_out_of_the_columns_range(make_project, any_url):
    project = make_project(any_url)
    project.create()
    too_big = 2**31 if backend(any_url) != "sqlite" else 2**63
    bad = project.write("d/users.csv", f"id,name,age\n1,Ann,{too_big}\n")
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, line 2, column 'age': {too_big} is out of range for INTEGER ("
    ), line
    bad = project.write(
        "d/users.jsonl", json.dumps({"id": 1, "name": "Ann", "age": -too_big - 1}) + "\n"
    )
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, line 1, column 'age': {-too_big - 1} is out of range"
    ), line
    assert project.count("users") == 0


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_five_thousand_digit_integer(project, suffix):
    project.create()
    digits = "9" * 5000
    if suffix == ".csv":
        text, where = f"id,name,age\n1,Ann,{digits}\n", "line 2"
    elif suffix == ".jsonl":
        text, where = (
            f'{{"id": 1, "name": "Ann"}}\n{{"id": 2, "name": "Bob", "age": {digits}}}\n',
            "line 2",
        )
    else:
        text, where = (
            f'[{{"id": 1, "name": "Ann"}}, {{"id": 2, "name": "Bob", "age": {digits}}}]',
            "item 2",
        )
    bad = project.write(f"d/users{suffix}", text)
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, {where}, column 'age': integer of 5000 digits, out of range"
    ), line
    assert len(line) < 300


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_deeply_nested_json(project, suffix):
    project.create()
    deep = "[" * 100_000 + "]" * 100_000
    if suffix == ".jsonl":
        text = f'{{"id": 1, "name": "Ann"}}\n{{"id": 2, "name": {deep}}}\n'
    else:
        text = f'[{{"id": 1, "name": "Ann"}},\n{{"id": 2, "name": {deep}}}]'
    bad = project.write(f"d/users{suffix}", text)
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert (
        line
        == f"error: {rel(bad)}, line 2: bad JSON: nested too deeply; nothing was loaded (rolled back)"
    )


def test_deeply_nested_json_in_a_csv_cell(make_project):
    project = make_project()
    db = project.db

    class Doc(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "docs"
        id = sa.Column(sa.Integer, primary_key=True)
        data = sa.Column(sa.JSON)

    project.create()
    bad = project.write("d/docs.csv", f'id,data\n1,"{{""a"": 1}}"\n2,{"[" * 100_000}\n')
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert (
        line
        == f"error: {rel(bad)}, line 3, column 'data': invalid JSON: nested too deeply; nothing was loaded (rolled back)"
    )


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_non_utf8_byte_names_its_line(project, suffix):
    project.create()
    path = project.root / "d" / f"users{suffix}"
    path.parent.mkdir(parents=True)
    if suffix == ".csv":
        path.write_bytes(b"id,name\n1,Ann\n2,Bob\n3,Ren\xe9\n")
        where = "line 4"
    else:
        path.write_bytes(b'{"id": 1, "name": "Ann"}\n{"id": 3, "name": "Ren\xe9"}\n')
        where = "line 2"
    bad_line = path.read_bytes().splitlines()[int(where.split()[1]) - 1]
    column = bad_line.index(0xE9) + 1
    assert one_error(project.invoke("db", "populate", str(path))) == (
        f"error: {rel(path)}, {where}: not UTF-8 text: byte 0xe9 at byte {column} of the line "
        "(save the file as UTF-8); nothing was loaded (rolled back)"
    )


def test_unclosed_csv_quote_names_the_line_where_it_opens(project):
    project.create()
    bad = project.write("d/users.csv", 'id,name\n1,Ann\n2,"Bob\n3,Cid\n4,Dee\n')
    assert one_error(project.invoke("db", "populate", str(bad))) == (
        f"error: {rel(bad)}, line 3: unclosed quote: the quoted field that opens on this line "
        "runs to the end of the file; nothing was loaded (rolled back)"
    )


def test_over_long_path_is_one_line(project):
    project.create()
    path = "/tmp/" + "x" * 5000 + "/users.csv"
    line = one_error(project.invoke("db", "populate", path))
    assert line.startswith("error: /tmp/xxxx"), line
    assert "cannot read: File name too long; nothing was loaded" in line
    assert len(line) < 400


def test_one_boolean_rule_for_csv_json_and_jsonl(project):
    project.create()
    spellings = ["yes", " yes", "YES", "True", "on ", "1", "no", " Off", "FALSE", "0", "n", "T"]
    expected = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
    csv_text = "id,name,active\n" + "".join(f'{i},U{i},"{s}"\n' for i, s in enumerate(spellings, 1))
    jsonl = "".join(
        json.dumps({"id": i, "name": f"U{i}", "active": s}) + "\n"
        for i, s in enumerate(spellings, 1)
    )
    items = json.dumps(
        [{"id": i, "name": f"U{i}", "active": s} for i, s in enumerate(spellings, 1)]
    )
    for name, text in (("users.csv", csv_text), ("users.jsonl", jsonl), ("users.json", items)):
        project.invoke("db", "drop", "--yes")
        project.create()
        result = project.invoke("db", "populate", str(project.write(f"{name}.d/{name}", text)))
        assert result.exit_code == 0, (name, result.output)
        rows = project.rows("SELECT active FROM users ORDER BY id")
        assert [int(bool(r[0])) for r in rows] == expected, name
    bad = project.write("bad/users.csv", "id,name,active\n1,Ann,maybe\n")
    assert "invalid boolean 'maybe' (use true/false, 1/0, yes/no, on/off)" in one_error(
        project.invoke("db", "populate", str(bad))
    )


def test_refused_row_names_its_column_from_the_drivers_diagnostics(make_project, any_url):
    """psycopg's diag (constraint name -> columns), PyMySQL's error args, SQLite's message."""
    project = make_project(any_url)
    project.create()
    ok = project.write("ok/users.csv", "id,name,email\n1,Ann,a@example.org\n")
    assert project.invoke("db", "populate", str(ok)).exit_code == 0
    bad = project.write(
        "bad/users.csv", "id,name,email\n2,Bob,b@example.org\n3,Cid,a@example.org\n"
    )
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, line 3, column 'email': the database refused the row: "
    ), line
    assert "pipeline aborted" not in line.lower()
    if backend(any_url) != "sqlite":
        posts = project.write("bad2/posts.csv", "id,user_id,title\n1,99,orphan\n")
        line = one_error(project.invoke("db", "populate", str(posts)))
        assert line.startswith(
            f"error: {rel(posts)}, line 2, column 'user_id': the database refused the row: "
        ), line
        assert "pipeline aborted" not in line.lower()


def test_refused_row_names_every_column_of_a_named_constraint(make_project, any_url):
    project = make_project(any_url)
    db = project.db

    class Pair(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "pairs"
        __table_args__ = (sa.UniqueConstraint("left_id", "right_id", name="uq_pair"),)
        id = sa.Column(sa.Integer, primary_key=True)
        left_id = sa.Column(sa.Integer, nullable=False)
        right_id = sa.Column(sa.Integer, nullable=False)

    project.create()
    bad = project.write("d/pairs.csv", "id,left_id,right_id\n1,1,2\n2,1,3\n3,1,2\n")
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, line 4, column 'left_id, right_id': the database refused the row: "
    ), line


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_refused_row_deep_in_a_big_file_is_named(make_project, any_url, suffix):
    """PostgreSQL streams a file through one COPY: the row at fault is still found and named."""
    project = make_project(any_url)
    project.create()
    rows = [{"id": i, "name": f"U{i}", "email": f"u{i}@example.org"} for i in range(1, 6001)]
    rows[4499]["email"] = "u17@example.org"
    if suffix == ".csv":
        text = "id,name,email\n" + "".join(f"{r['id']},{r['name']},{r['email']}\n" for r in rows)
        where = "line 4501"
    else:
        text = "".join(json.dumps(r) + "\n" for r in rows)
        where = "line 4500"
    bad = project.write(f"d/users{suffix}", text)
    line = one_error(project.invoke("db", "populate", str(bad)))
    assert line.startswith(
        f"error: {rel(bad)}, {where}, column 'email': the database refused the row: "
    ), line
    assert line.endswith("; nothing was loaded (rolled back)")
    assert project.count("users") == 0
    rows[4499]["email"] = "fixed@example.org"
    if suffix == ".csv":
        bad.write_text(
            "id,name,email\n" + "".join(f"{r['id']},{r['name']},{r['email']}\n" for r in rows)
        )
    else:
        bad.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = project.invoke("db", "populate", str(bad))
    assert result.exit_code == 0, result.output
    assert project.count("users") == 6000


@pytest.mark.parametrize("later", ["good", "bad value"])
def test_refused_row_in_an_earlier_file_is_named_first(make_project, any_url, later):
    """On PostgreSQL a file's COPY ends while the next file is read: its refusal still wins."""
    project = make_project(any_url)
    project.create()
    users = "id,name,email\n" + "".join(f"{i},U{i},u{i}@example.org\n" for i in range(1, 3001))
    users += "3001,Dup,u5@example.org\n"
    bad = project.write("d/users.csv", users)
    posts = "id,user_id,title\n" + "".join(f"{i},{1 + i % 3000},T{i}\n" for i in range(1, 5001))
    if later == "bad value":
        posts += "5001,1,x,extra\n"
    project.write("d/posts.csv", posts)
    line = one_error(project.invoke("db", "populate", str(project.root / "d")))
    assert line.startswith(
        f"error: {rel(bad)}, line 3002, column 'email': the database refused the row: "
    ), line
    assert (project.count("users"), project.count("posts")) == (0, 0)
