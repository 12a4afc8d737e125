"""The ``shell`` command: scripts on stdin, -c, the context, and every shell run for real.

The interactive shells run in real ``manage.py`` subprocesses: over a pipe with ``-i`` where the
shell supports it (the standard shell, IPython, ptipython), in a pseudo-terminal otherwise
(bpython, ptpython, and tab completion in the standard shell).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flask_script_hub import Manager
from flask_script_hub.shell import Shell
from flask_script_hub.testing import ManagerRunner
from flask_script_hub.testing import run_in_terminal as terminal

APP = Path(__file__).parent / "apps" / "shellserver"
NO_SHELLS = ["--no-ptipython", "--no-ptpython", "--no-bpython", "--no-ipython"]
# prints which shell packages the session imported: "MODS=IPython+ptpython=END" for ptipython
WHICH = (
    'import sys; print("MODS=" + "+".join(m for m in ("IPython", "ptpython", "bpython") '
    'if m in sys.modules) + "=END")'
)


@pytest.fixture
def app_dir(project: Path, tmp_path: Path) -> Path:
    shutil.copytree(APP, project, dirs_exist_ok=True)
    (tmp_path / "home").mkdir()
    return project


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No plugins, a private HOME (shell history files), no PYTHONSTARTUP of the developer."""
    return {
        "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1",
        "HOME": str(tmp_path / "home"),
        "PYTHONSTARTUP": "",
        "TERM": "xterm",
    }


# -- scripts and snippets ------------------------------------------------------------------------
def test_script_on_stdin_runs_in_the_app_context_with_its_exit_status(app_dir, manage, env):
    script = (
        "from flask import current_app\n"
        "print(current_app.name, app.name, answer, greeting, cwd == __import__('os').getcwd())\n"
        "import sys\n"
        "sys.exit(3)\n"
    )
    result = manage("shell", input=script, env=env)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "hello hello 42 hello True\n"
    assert result.stderr == ""


def test_script_that_ends_normally_exits_0_without_banner(app_dir, manage, env):
    result = manage("shell", input="print(sorted(k for k in globals() if k[0] != '_'))\n", env=env)
    assert result.returncode == 0
    assert result.stdout == "['answer', 'app', 'cwd', 'g', 'greeting']\n"
    assert "Python" not in result.stderr


def test_command_option_runs_one_snippet(app_dir, manage, env):
    result = manage("shell", "-c", "print(answer * 2)", env=env)
    assert (result.returncode, result.stdout) == (0, "84\n")
    result = manage("shell", "--command", "raise SystemExit('bad thing')", env=env)
    assert result.returncode == 1
    assert result.stderr == "bad thing\n"


def test_uncaught_exception_shows_the_users_traceback_and_exits_1(app_dir, manage, env):
    result = manage("shell", input="x = 1\n\n1 / 0\n", env=env)
    assert result.returncode == 1
    assert 'File "<stdin>", line 3, in <module>' in result.stderr
    assert result.stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "shell.py" not in result.stderr  # only the user's frames


def test_syntax_error_in_script_exits_1(app_dir, manage, env):
    result = manage("shell", "-c", "def f(:", env=env)
    assert result.returncode == 1
    assert "SyntaxError" in result.stderr
    assert result.stdout == ""


# -- the context ---------------------------------------------------------------------------------
def test_plugins_app_processors_and_make_context_in_order_of_precedence(app_dir, manage, make_dist):
    make_dist(
        "flask-script-hub-shelltest",
        {"shelltest": "fsh_shelltest.plugin"},
        {
            "fsh_shelltest/plugin.py": """
                from flask_script_hub import hookimpl

                @hookimpl
                def shell_context(app):
                    return {"answer": "plugin", "greeting": "plugin", "from_plugin": app.name}
            """
        },
    )
    result = manage("shell", "-c", "print(answer, greeting, from_plugin)")
    assert result.returncode == 0, result.stderr
    # the app's processor beats the plugin, the manage.py's @manager.shell beats both
    assert result.stdout == "42 hello hello\n"


def test_make_context_without_argument_and_custom_banner(app_dir, manage, write, env):
    write(
        "manage2.py",
        """
        from flask_script_hub import Manager, Shell
        from hello import create_app

        def _make_context():
            return {"answer": "mine"}

        manager = Manager(create_app)
        manager.add_command("shell", Shell(banner="custom banner", make_context=_make_context,
            use_ipython=False, use_bpython=False, use_ptipython=False, use_ptpython=False))
        manager.run()
        """,
    )
    result = manage("shell", "-c", "print(answer)", env=env, script="manage2.py")
    assert (result.returncode, result.stdout) == (0, "mine\n")
    # the use_* arguments switch every other shell off: -i gets the standard shell
    result = manage("shell", "-i", input=WHICH + "\n", env=env, script="manage2.py")
    assert result.returncode == 0, result.stderr
    assert "MODS==END" in result.stdout
    assert result.stderr.startswith("custom banner\n")


def test_make_context_that_returns_no_dict_is_one_line_error(app_dir, manage, write, env):
    write(
        "manage3.py",
        """
        from flask_script_hub import Manager
        from hello import create_app

        manager = Manager(create_app)

        @manager.shell
        def context(app):
            return [app]

        manager.run()
        """,
    )
    result = manage("shell", "-c", "pass", env=env, script="manage3.py")
    assert result.returncode == 1
    assert result.stderr == "error: the shell context function context returned list, not a dict\n"


def test_in_process_context_without_plugins():
    from flask import Flask

    app = Flask("inproc")
    manager = Manager(app)
    manager.add_command("shell", Shell(make_context=lambda: {"x": 5}))
    result = ManagerRunner().invoke(
        manager,
        ["shell", "-c", "print(x, app.name, g)"],
        env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("5 inproc <flask.g of 'inproc'>")


def test_flask_script_style_get_context_override():
    from flask import Flask

    class MyShell(Shell):
        def get_context(self):  # Flask-Script 2.0's signature
            return {"mine": 1}

    manager = Manager(Flask("inproc"))
    manager.add_command("shell", MyShell())
    result = ManagerRunner().invoke(
        manager,
        ["shell", "-c", "print(sorted(k for k in globals() if k[0] != '_'))"],
        env={"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert (result.exit_code, result.stdout) == (0, "['mine']\n")


# -- interactive shells over a pipe --------------------------------------------------------------
def test_standard_shell_banner_and_pythonstartup(app_dir, manage, env, tmp_path):
    startup = tmp_path / "startup.py"
    startup.write_text("from_startup = 'yes'\n")
    env["PYTHONSTARTUP"] = str(startup)
    result = manage(
        "shell",
        "-i",
        *NO_SHELLS,
        input=f"x = answer * 2\nprint(x, from_startup)\n{WHICH}\n",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "84 yes" in result.stdout
    assert "MODS==END" in result.stdout
    banner = result.stderr
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in banner
    assert "App: hello [debug: off]" in banner
    assert "Names: answer, app, cwd, g, greeting" in banner


def test_ipython_over_a_pipe(app_dir, manage, env):
    pytest.importorskip("IPython")
    result = manage(
        "shell",
        "-i",
        "--no-ptipython",
        "--no-ptpython",
        "--no-bpython",
        input=f"print(answer + 1)\n{WHICH}\n",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "43" in result.stdout
    assert "MODS=IPython=END" in result.stdout
    assert "Names: answer, app, cwd, g, greeting" in result.stdout  # IPython prints the banner


def test_ptipython_first_when_installed(app_dir, manage, env):
    pytest.importorskip("ptpython.ipython")
    result = manage("shell", "-i", input=f"print(answer + 1)\n{WHICH}\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "43" in result.stdout
    assert "MODS=IPython+ptpython=END" in result.stdout


def test_missing_shell_packages_fall_through_silently(app_dir, manage, env, site):
    for name in ("IPython", "ptpython", "bpython"):
        (site / name).mkdir()
        (site / name / "__init__.py").write_text(f"raise ImportError('no {name} here')\n")
    result = manage("shell", "-i", input=f"print(answer + 1)\n{WHICH}\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "43" in result.stdout
    assert "MODS==END" in result.stdout  # the standard shell
    assert "Error" not in result.stderr
    assert "no IPython here" not in result.stderr


# -- interactive shells in a terminal -------------------------------------------------------------
def run_in_terminal(
    project: Path,
    env: dict[str, str],
    site: Path,
    args: list[str],
    lines: list[bytes],
    until: bytes,
) -> bytes:
    """Run manage.py in a pseudo-terminal, type ``lines`` once it prompts, return all output."""
    pytest.importorskip("pty")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    full_env.update(env, PYTHONPATH=os.pathsep.join([str(site), str(project)]))
    typed = [((">>>", "In ["), lines[0].decode()), *(("", line.decode()) for line in lines[1:])]
    result = terminal(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=full_env,
        answers=typed,
        until=until.decode(),
        timeout=35,
        typing_delay=0.3,
    )
    return result.output.encode()


@pytest.mark.parametrize(
    ("flags", "marker"),
    [
        (["--no-ptipython"], b"MODS=ptpython=END"),
        (["--no-ptipython", "--no-ptpython"], b"MODS=bpython=END"),
    ],
    ids=["ptpython", "bpython"],
)
def test_terminal_shells(app_dir, env, site, flags, marker):
    pytest.importorskip(marker.decode()[5:-4])
    out = run_in_terminal(
        app_dir,
        env,
        site,
        ["shell", *flags],
        [b"print(answer * 1000 + 1)\r", WHICH.encode() + b"\r"],
        marker,
    )
    assert b"42001" in out, out[-2000:]
    assert marker in out, out[-2000:]


def test_standard_shell_in_a_terminal_completes_context_names(app_dir, env, site):
    pytest.importorskip("readline")
    out = run_in_terminal(
        app_dir,
        env,
        site,
        ["shell", *NO_SHELLS],
        [b"print(gree\t + '!')\r", WHICH.encode() + b"\r"],
        b"MODS=",
    )
    assert b"hello!" in out, out[-2000:]  # "gree<TAB>" completed to the context's "greeting"
    assert b"MODS==END" in out


def test_shell_server_extras_env_import_nothing_heavy():
    """They are imported at every manage.py start: Flask, Werkzeug and the shells wait."""
    code = (
        "import sys, flask_script_hub.shell, flask_script_hub.server, flask_script_hub.extras, "
        "flask_script_hub.env; heavy = ('flask', 'werkzeug', 'dotenv', 'IPython', 'bpython', "
        "'ptpython', 'click'); print([m for m in heavy if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == "[]\n"
