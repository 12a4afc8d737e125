"""The ``runserver`` command: real servers on free loopback ports, real HTTP requests.

Every server runs as ``python manage.py runserver`` in its own process group, is polled until it
answers (bounded), and is killed with its group in a ``finally`` block.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argparse_layout import metavar_once

from flask_script_hub import Manager, Server
from flask_script_hub.testing import ManagerRunner

APP = Path(__file__).parent / "apps" / "shellserver"
NO_PLUGINS = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def app_dir(project: Path) -> Path:
    shutil.copytree(APP, project, dirs_exist_ok=True)
    return project


class Running:
    """A ``manage.py runserver`` process: its port, its output so far, HTTP requests to it."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path, scheme: str) -> None:
        self.proc, self.port, self.log, self.scheme = proc, port, log, scheme

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def get(self, path: str = "/", timeout: float = 2) -> tuple[int, str]:
        context = None
        if self.scheme == "https":  # a self-signed test certificate
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        url = f"{self.scheme}://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_for(self, check: Callable[[], bool], what: str, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited ({self.proc.returncode}):\n{self.output}")
            try:
                if check():
                    return
            except OSError:  # refused, reset, timed out: not ready yet
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.output}")

    def wait_body(self, expected: str, path: str = "/") -> None:
        self.wait_for(lambda: self.get(path, timeout=1) == (200, expected), f"{path} -> {expected}")


@pytest.fixture
def runserver(app_dir: Path, site: Path, tmp_path: Path) -> Iterator[Callable[..., Running]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, env: dict[str, str] | None = None, scheme: str = "http") -> Running:
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
        full_env.update(NO_PLUGINS, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(site))
        full_env.update(env or {})
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "-p", str(port), *args],
                cwd=app_dir,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(proc)
        running = Running(proc, port, log, scheme)
        running.wait_for(lambda: running.get()[0] == 200, "the server to answer")
        return running

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def edit(path: Path, text: str) -> None:
    """Rewrite a file so that the stat reloader sees a newer modification time."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    if path.stat().st_mtime_ns <= before:  # coarse clock: make the change visible
        os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


# -- serving ------------------------------------------------------------------------------------
def test_serves_on_loopback_with_debugger_and_reloader_off(runserver):
    server = runserver()
    assert server.get() == (200, "version 1: hello")
    assert f"Running on http://127.0.0.1:{server.port}" in server.output
    assert "Debug mode: off" in server.output
    assert "Restarting with" not in server.output  # no reloader
    status, body = server.get("/boom")
    assert status == 500
    assert "Werkzeug Debugger" not in body


def test_debug_flag_turns_on_debugger_and_reloader(runserver):
    server = runserver("-d")
    assert "Debug mode: on" in server.output
    status, body = server.get("/boom")
    assert status == 500
    assert "Werkzeug Debugger" in body and "RuntimeError: boom" in body
    server.wait_for(lambda: "Restarting with stat" in server.output, "the reloader")


def test_debug_none_in_config_turns_debugger_on_with_warning(runserver):
    server = runserver("-R", env={"HELLO_DEBUG": "none"})
    assert "Warning: DEBUG is None in the app's configuration" in server.output
    assert "Werkzeug Debugger" in server.get("/boom")[1]
    assert "Restarting with" not in server.output  # -R wins over the debugger's default


def test_no_debug_flag_overrides_debug_app(runserver):
    server = runserver("-D", env={"HELLO_DEBUG": "1"})
    assert "Debug mode: off" in server.output
    assert "Werkzeug Debugger" not in server.get("/boom")[1]


def test_debugger_on_a_non_loopback_address_warns(runserver):
    server = runserver("-h", "0.0.0.0", "-d", "-R")
    assert "Warning: the debugger is on and the server listens on '0.0.0.0'" in server.output


def test_empty_host_of_flask_script_means_every_interface(runserver):
    server = runserver("-h", "", "-R")
    assert "Running on all addresses (0.0.0.0)" in server.output
    assert "Warning: the debugger" not in server.output  # debugger off: no warning


def test_port_in_use_is_one_line_and_exit_1(app_dir, manage):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = manage("runserver", "-p", str(port), env=NO_PLUGINS, timeout=30)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is in use by another program; stop it or choose "
        "another port with -p/--port\n"
    )


@pytest.mark.parametrize("args", [["--threaded"], ["--processes", "2"]], ids=["threads", "forks"])
def test_threaded_and_forking_servers(runserver, args):
    server = runserver(*args)
    assert server.get("/items/7") == (200, "7")


# -- the reloader -------------------------------------------------------------------------------
def test_reloader_survives_syntax_and_import_errors(runserver, app_dir):
    server = runserver("-r")
    views = app_dir / "hello" / "views.py"
    good = views.read_text()

    edit(views, good + "\ndef broken(:\n")
    server.wait_for(lambda: "Waiting for a file change" in server.output, "the syntax error")
    assert "SyntaxError" in server.output
    assert server.proc.poll() is None  # the supervisor is still there

    edit(views, good + "\nimport module_that_does_not_exist\n")
    server.wait_for(lambda: server.output.count("Waiting for a file change") == 2, "import error")
    assert "module_that_does_not_exist" in server.output

    edit(views, good.replace("version 1", "version 2 (fixed)"))
    server.wait_body("version 2 (fixed): hello")


def test_ctrl_c_while_waiting_for_a_fix_exits_cleanly(runserver, app_dir):
    server = runserver("-r")
    views = app_dir / "hello" / "views.py"
    edit(views, views.read_text() + "\ndef broken(:\n")
    server.wait_for(lambda: "Waiting for a file change" in server.output, "the syntax error")
    os.killpg(server.proc.pid, signal.SIGINT)
    assert server.proc.wait(10) == 0
    after = server.output.split("Waiting for a file change")[1]
    assert "Traceback" not in after and "KeyboardInterrupt" not in after


def test_extra_files_trigger_a_reload(runserver, app_dir):
    settings = app_dir / "settings.json"
    settings.write_text(json.dumps({"GREETING": "first"}))
    server = runserver("-r", "--extra-files", str(settings))
    server.wait_body("version 1: first")
    edit(settings, json.dumps({"GREETING": "second, reloaded"}))
    server.wait_body("version 1: second, reloaded")


def test_exclude_patterns_do_not_trigger_a_reload(runserver, app_dir):
    ignored = app_dir / "scratch.py"
    ignored.write_text("x = 1\n")
    server = runserver("-r", "--exclude-patterns", f"*{os.sep}scratch.py")
    edit(ignored, "x = 2  # changed\n")
    time.sleep(1.0)  # five polls of the stat reloader (reloader_interval=0.2 in manage.py)
    assert "Detected change" not in server.output
    views = app_dir / "hello" / "views.py"
    edit(views, views.read_text())  # control: a watched file does reload
    server.wait_for(lambda: "Detected change" in server.output, "a reload")


# -- HTTPS --------------------------------------------------------------------------------------
def test_https_with_certificate_files(runserver, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    crt, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-days", "1", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = runserver("--ssl-crt", str(crt), "--ssl-key", str(key), scheme="https")
    assert server.get() == (200, "version 1: hello")
    assert f"Running on https://127.0.0.1:{server.port}" in server.output


def test_cert_adhoc(app_dir, manage, runserver):
    try:
        import cryptography  # noqa: F401
    except ImportError:
        result = manage("runserver", "--cert", "adhoc", "-p", str(free_port()), env=NO_PLUGINS)
        assert result.returncode == 1
        assert result.stderr == (
            "error: --cert adhoc needs the cryptography package: pip install cryptography\n"
        )
    else:
        server = runserver("--cert", "adhoc", scheme="https")
        assert server.get() == (200, "version 1: hello")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ssl-crt", "c.pem"], "--ssl-crt/--cert and --ssl-key/--key must be given together"),
        (["--cert", "adhoc", "--key", "k.pem"], "--ssl-key/--key cannot be used with --cert adhoc"),
        (["--cert", "missing.pem", "--key", "missing.key"], "cannot load the certificate"),
        (["--threaded", "--processes", "2"], "--threaded and --processes > 1 cannot be combined"),
        (["--processes", "0"], "--processes must be at least 1"),
        (["-p", "70000"], "port 70000 is not between 0 and 65535"),
        (["-h", "no-such-host.invalid"], "cannot resolve host 'no-such-host.invalid'"),
    ],
)
def test_bad_options_are_one_line_errors(args, message):
    from flask import Flask

    manager = Manager(Flask("bad"))
    result = ManagerRunner().invoke(manager, ["runserver", *args], env=NO_PLUGINS)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1


def test_usage_errors_exit_2():
    from flask import Flask

    result = ManagerRunner().invoke(
        Manager(Flask("bad")), ["runserver", "-p", "abc"], env=NO_PLUGINS
    )
    assert result.exit_code == 2
    assert "argument -p/--port: invalid int value: 'abc'" in result.stderr


def test_unknown_run_simple_option_is_reported():
    from flask import Flask

    manager = Manager(Flask("bad"))
    manager.add_command("runserver", Server(bogus=1, reloader_interval=0.5))
    result = ManagerRunner().invoke(manager, ["runserver"], env=NO_PLUGINS)
    assert result.exit_code == 1
    assert result.stderr == "error: Server() got options that run_simple does not take: bogus\n"


def test_help_lists_every_flag_and_h_is_host():
    from flask import Flask

    result = ManagerRunner().invoke(Manager(Flask("x")), ["runserver", "-?"], env=NO_PLUGINS)
    assert result.exit_code == 0
    for flag in (
        "-h, --host HOST", "-p, --port PORT", "--threaded", "--processes",
        "--passthrough-errors", "-d, --debug", "-D, --no-debug", "-r, --reload",
        "-R, --no-reload", "--ssl-crt, --cert FILE", "--ssl-key, --key FILE",
        "--extra-files", "--exclude-patterns",
    ):  # fmt: skip
        assert flag in metavar_once(result.stdout)
