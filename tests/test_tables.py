"""The one table printer (``flask_script_hub.tables``): aligned columns, nothing lost when piped."""

from __future__ import annotations

import io

from flask_script_hub.tables import print_table


def test_columns_are_aligned_under_a_header_two_spaces_apart():
    out = io.StringIO()
    print_table(["NAME", "STATUS"], [("db", "loaded"), ("migrate", None)], file=out)
    assert out.getvalue() == "NAME     STATUS\ndb       loaded\nmigrate\n"


def test_piped_output_is_never_wrapped_cut_or_coloured(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    long = "/api/" + "segment/" * 30 + "<int:id>"
    out = io.StringIO()
    print_table(["Rule", "Endpoint"], [(long, "api.[bold]item[/bold]")], rule=True, file=out)
    lines = out.getvalue().splitlines()
    assert lines[2] == f"{long}  api.[bold]item[/bold]"  # one line, markup printed as is
    assert lines[1] == "-" * len(long) + "  " + "-" * len("api.[bold]item[/bold]")
    assert "\x1b" not in out.getvalue()
    assert all(line == line.rstrip() for line in lines)


def test_right_justified_column_and_title():
    out = io.StringIO()
    print_table(
        ["table", "rows"],
        [("users", "12"), ("categories", "3")],
        justify=["left", "right"],
        file=out,
        title="default database",
    )
    assert (
        out.getvalue() == "default database\ntable       rows\nusers         12\ncategories     3\n"
    )


def test_plugins_listing_piped_to_a_file_keeps_long_errors_on_one_line(make_dist, write, manage):
    message = "x" * 300
    make_dist(
        "fsh-long",
        {"long": "fsh_long.plugin"},
        {"fsh_long/plugin.py": f"raise RuntimeError('{message}')\n"},
    )
    write("manage.py", "from flask_script_hub import Manager\nManager('app:create').run()\n")
    run = manage("plugins", "--check", env={"COLUMNS": "60"})
    row = next(line for line in run.stdout.splitlines() if line.startswith("long "))
    assert row.endswith(f"error: RuntimeError: {message}")
    assert "\x1b" not in run.stdout
