"""A broken plugin never takes the others down, whatever it raises, wherever it raises it.

Every plugin here is a real installed distribution; every run a real ``manage.py`` subprocess.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from plugin_sources import GREET

from conftest import clean_env

MANAGE = """
from flask import Flask
from flask_script_hub import Manager

manager = Manager(lambda: Flask("isolated"))
if __name__ == "__main__":
    manager.run()
"""

RAISES = {
    "SystemExit": "raise SystemExit(3)",
    "sys.exit(message)": "import sys; sys.exit('plugin says bye')",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "BaseException": "raise BaseException('base')",
}


@pytest.fixture
def greet(make_dist, write):
    make_dist(
        "flask-script-hub-greet", {"greet": "fsh_greet.plugin"}, {"fsh_greet/plugin.py": GREET}
    )
    write("manage.py", MANAGE)


@pytest.mark.parametrize("statement", RAISES.values(), ids=RAISES.keys())
def test_plugin_raising_anything_at_import_is_isolated(greet, make_dist, manage, statement):
    make_dist("fsh-bad", {"bad": "fsh_bad.plugin"}, {"fsh_bad/plugin.py": statement + "\n"})

    shell = manage("shell", "-c", "print(greeting)")
    assert (shell.returncode, shell.stdout) == (0, "hi\n"), shell.stderr
    assert "warning: the 'bad' plugin from fsh-bad 1.0 failed" in shell.stderr

    other = manage("greet", "hello")
    assert (other.returncode, other.stdout) == (0, "hello world from isolated\n")

    bad = manage("bad", "x")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "the 'bad' plugin from fsh-bad 1.0 failed" in bad.stderr

    check = manage("plugins", "--check")
    assert check.returncode == 1, check.stdout
    row = next(line for line in check.stdout.splitlines() if line.startswith("bad "))
    assert "error: " in row


@pytest.mark.parametrize("statement", RAISES.values(), ids=RAISES.keys())
def test_plugin_raising_anything_in_a_hook_is_isolated(greet, make_dist, manage, statement):
    source = f"""
    from flask_script_hub import Manager, hookimpl

    @hookimpl
    def shell_context(app):
        {statement}

    @hookimpl
    def namespace_command():
        {statement}
    """
    make_dist("fsh-bad", {"bad": "fsh_bad.plugin"}, {"fsh_bad/plugin.py": source})

    shell = manage("shell", "-c", "print(greeting)")
    assert (shell.returncode, shell.stdout) == (0, "hi\n"), shell.stderr
    assert "warning: plugin bad:fsh-bad failed in shell_context" in shell.stderr

    assert manage("greet", "hello").returncode == 0
    bad = manage("bad", "x")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    check = manage("plugins", "--check")
    assert check.returncode == 1


def test_db_populate_survives_a_plugin_raising_at_import(make_dist, write, manage):
    write(
        "manage.py",
        """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_script_hub import Manager

        db = SQLAlchemy()

        class Note(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            text = db.Column(db.String(50))

        def create_app():
            app = Flask("notes")
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.db"
            db.init_app(app)
            return app

        manager = Manager(create_app)
        if __name__ == "__main__":
            manager.run()
        """,
    )
    write("data/note.csv", "id,text\n1,kept\n")
    make_dist("fsh-bad", {"bad": "fsh_bad.plugin"}, {"fsh_bad/plugin.py": "raise SystemExit(4)\n"})
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "migrate, rq"}
    assert manage("db", "create", env=env).returncode == 0
    run = manage("db", "populate", "data/note.csv", env=env)
    assert run.returncode == 0, run.stderr
    assert "note: 1 inserted" in run.stdout
    assert "warning: the 'bad' plugin from fsh-bad 1.0 failed: SystemExit: 4" in run.stderr


def test_plugin_printing_at_import_does_not_corrupt_json(greet, make_dist, manage):
    source = """
    import sys
    from flask_script_hub import Command, hookimpl

    print("noise from the plugin")
    sys.stdout.write("more noise")

    @hookimpl
    def namespace_command():
        print("noise from the hook")
        return Command(lambda: print("quiet"))
    """
    make_dist("fsh-noisy", {"noisy": "fsh_noisy.plugin"}, {"fsh_noisy/plugin.py": source})
    run = manage("plugins", "--check", "--json")
    data = {d["namespace"]: d for d in json.loads(run.stdout)}  # valid JSON
    assert data["noisy"]["status"] == "loaded"
    assert run.stderr == "noise from the plugin\nmore noisenoise from the hook\n"
    quiet = manage("noisy")
    assert quiet.stdout == "quiet\n"
    assert "noise from the plugin" in quiet.stderr


@pytest.mark.parametrize("where", ["import", "hook"])
def test_traceback_shows_the_plugins_own_file_and_line(greet, make_dist, manage, where):
    source = (
        "raise RuntimeError('boom')\n"
        if where == "import"
        else "from flask_script_hub import hookimpl\n\n"
        "@hookimpl\ndef namespace_command():\n    raise RuntimeError('boom')\n"
    )
    make_dist("fsh-boom", {"boom": "fsh_boom.plugin"}, {"fsh_boom/plugin.py": source})
    line = 1 if where == "import" else 5
    plain = manage("boom")
    assert "set FLASK_SCRIPT_HUB_TRACEBACK=1 for the traceback" in plain.stderr
    env = {"FLASK_SCRIPT_HUB_TRACEBACK": "1"}
    run = manage("boom", env=env)
    assert run.returncode == 1
    assert f'fsh_boom/plugin.py", line {line}' in run.stderr
    assert run.stderr.rstrip().splitlines()[-1].startswith("error: the 'boom' plugin")
    check = manage("plugins", "--check", env=env)
    assert f'fsh_boom/plugin.py", line {line}' in check.stderr
    shell = manage("shell", "-c", "pass", env=env)
    assert f'fsh_boom/plugin.py", line {line}' in shell.stderr or where == "hook"


def test_disabled_plugins_list_accepts_spaces(greet, make_dist, manage):
    make_dist("fsh-boom", {"boom": "fsh_boom.plugin"}, {"fsh_boom/plugin.py": "raise SystemExit\n"})
    env = {"FLASK_SCRIPT_HUB_DISABLE_PLUGINS": " boom ,  flask-script-hub-greet "}
    listing = manage("plugins", "--json", env=env)
    data = {d["namespace"]: d["status"] for d in json.loads(listing.stdout)}
    assert data["boom"] == data["greet"] == "disabled"
    assert manage("plugins", "--check", env=env).returncode == 0
    run = manage("greet", "hello", env=env)
    assert run.returncode == 1 and "disabled by FLASK_SCRIPT_HUB_DISABLE_PLUGINS" in run.stderr


@pytest.mark.parametrize("value", ["false", "0", "No", "OFF", ""])
def test_autoload_switch_off_values_mean_plugins_load(greet, manage, value):
    run = manage("greet", "hello", env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": value})
    assert (run.returncode, run.stdout) == (0, "hello world from isolated\n"), run.stderr


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_autoload_switch_on_values_disable_plugins(greet, manage, value):
    run = manage("greet", "hello", env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": value})
    assert run.returncode == 2 and "invalid choice: 'greet'" in run.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a subprocess")
def test_users_ctrl_c_while_a_plugin_loads_still_aborts_with_130(greet, make_dist, project, site):
    source = "import sys, time\nprint('importing', file=sys.stderr, flush=True)\ntime.sleep(30)\n"
    make_dist("fsh-slow", {"slow": "fsh_slow.plugin"}, {"fsh_slow/plugin.py": source})
    env = clean_env({"PYTHONPATH": f"{site}:{project}"})
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "slow"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline() == "importing\n"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Aborted!" in err and "plugin" not in err


def test_stdout_kept_by_a_plugin_at_import_prints_to_stdout_later(greet, make_dist, manage):
    # as Alembic's Config(stdout=sys.stdout) default: bound while the plugin loads
    source = """
    import sys
    from flask_script_hub import Command, hookimpl

    OUT = sys.stdout

    @hookimpl
    def namespace_command():
        return Command(lambda: print("through the kept stdout", file=OUT))
    """
    make_dist("fsh-kept", {"kept": "fsh_kept.plugin"}, {"fsh_kept/plugin.py": source})
    run = manage("kept")
    assert (run.returncode, run.stdout, run.stderr) == (0, "through the kept stdout\n", "")
