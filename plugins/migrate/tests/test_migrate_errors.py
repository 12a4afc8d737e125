"""Databases that cannot be used, Ctrl-C on MariaDB, revision completion: what a user sees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

COMMANDS = [["upgrade"], ["downgrade", "--yes"], ["stamp", "head"], ["current"]]


def _mariadb_url_with_wrong_password() -> str:
    base = os.environ.get("TEST_MARIADB_URL")
    if not base:
        pytest.skip("TEST_MARIADB_URL is not set")
    return sa.make_url(base).set(password="s3cret").render_as_string(hide_password=False)


BROKEN = {
    "unreachable": lambda: "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test",
    "wrong password": _mariadb_url_with_wrong_password,
    "missing driver": lambda: "mysql+mysqldb://root:s3cret@127.0.0.1:3306/test",
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("why", sorted(BROKEN))
def test_unusable_database_is_one_line_with_a_masked_url(sqlite_project, command, why):
    project = sqlite_project
    project.ok("migrate", "init")
    project.ok("migrate", "revision", "-m", "empty")
    error = project.fails("migrate", *command, DATABASE_URL=BROKEN[why]())
    assert "s3cret" not in error, error
    if why != "missing driver":  # the app factory fails before any command: no URL to show
        assert "***@127.0.0.1" in error, error


@pytest.mark.slow
def test_ctrl_c_during_an_upgrade_on_mariadb_warns(mariadb_project):
    project = mariadb_project
    project.ok("migrate", "init")
    project.add_revision(
        "c1log",
        "log table",
        upgrade="op.create_table('log', sa.Column('name', sa.String(20)))",
        downgrade="op.drop_table('log')",
    )
    project.add_revision(
        "c2slow",
        "slow step",
        upgrade="import os\nop.add_column('log', sa.Column('extra', sa.Integer))\n"
        'op.execute("SELECT SLEEP(" + os.environ.get("SLOW", "0") + ")")',
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "migrate", "upgrade"],
        cwd=project.path,
        env=project.env(SLOW="20"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while "extra" not in (project.columns("log") if "log" in project.tables() else set()):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "revision c2slow (slow step) may have left partial changes" in err
    assert "the database is at revision c1log" in err
    # the day after: the user repairs the schema and upgrades again
    with project.engine().begin() as connection:
        connection.exec_driver_sql("ALTER TABLE log DROP COLUMN extra")
    assert project.version() == {"c1log"}
    project.ok("migrate", "upgrade")
    assert project.version() == {"c2slow"}
    project.insert("log", name="after", extra=1)
    assert project.rows("log", "name", "extra") == [("after", 1)]


def test_revision_arguments_complete_revision_ids(sqlite_project, tmp_path):
    project = sqlite_project
    project.ok("migrate", "init")
    project.add_revision("abc123", "first", upgrade="pass")
    out = tmp_path / "completions"
    for line in ("python manage.py migrate downgrade ", "python manage.py migrate show a"):
        result = project.run(
            _ARGCOMPLETE="2",
            COMP_LINE=line,
            COMP_POINT=str(len(line)),
            _ARGCOMPLETE_STDOUT_FILENAME=str(out),
            _ARGCOMPLETE_IFS="\n",
        )
        assert result.returncode == 0, result.stderr
        words = sorted(out.read_text().split())
        if line.endswith(" a"):
            assert words == ["abc123"]
        else:
            assert words == ["abc123", "base", "head", "heads"]
