"""Fixtures of the rq plugin's tests: a real Redis database, a real app, real manage.py processes.

``TEST_REDIS_URL`` names the server (tests skip, with the reason, when it is unset). Each test
session claims a database number of its own on that server (1 to 12, with a ``SET NX`` key in
the URL's database), empties it at the start and at the end, and never touches the others, so
that engineers and CI runs sharing the server never see each other's queues, workers or
suspension. Each test also uses queue names of its own. (Database 13 is the one docs/rq.md uses.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CLAIM_KEY = "flask-script-hub-rq-tests:db{}"

#: The test app: commands that print, fail, raise, sleep and look at their app context.
MANAGE_PY = '''
import os
import sys
import time
from pathlib import Path

from flask import Flask, g

from flask_script_hub import Manager


def create_app(config=None):
    with open(os.environ["FACTORY_LOG"], "a") as log:
        log.write(f"{os.getpid()} {config}\\n")
    if os.environ.get("FACTORY_FAILS"):
        raise RuntimeError("the database is down")
    app = Flask("jobsapp")
    app.config["RQ_REDIS_URL"] = os.environ["APP_REDIS_URL"]
    app.config["CONFIG_NAME"] = config
    return app


manager = Manager(create_app)
manager.add_option("-c", "--config", dest="config", required=False)


@manager.command
def hello(name="world"):
    """Say hello."""
    from flask import current_app

    print(f"hello {name} from {current_app.config['CONFIG_NAME']}")


@manager.command
def context():
    """Say whether this app context was used before."""
    print("reused" if "seen" in g else "fresh")
    g.seen = True


@manager.command
def fail(code: int = 3):
    """Print on both streams, then exit with CODE."""
    for n in range(30):
        print(f"line {n}")
    print("something went wrong", file=sys.stderr)
    return code


@manager.command
def boom():
    """Raise."""
    raise RuntimeError("kaboom")


@manager.command
def flaky(marker):
    """Fail the first time (MARKER missing), succeed the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        print("first try fails", file=sys.stderr)
        return 1
    print("second try works")


@manager.command
def nap(seconds: float, marker=""):
    """Sleep SECONDS the first time (MARKER missing); at once when MARKER exists."""
    if marker and Path(marker).exists():
        print("no nap needed")
        return
    if marker:
        Path(marker).write_text("napping")
    time.sleep(seconds)
    print("slept")


if __name__ == "__main__":
    manager.run()
'''


def _with_db(url: str, number: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis URL whose database is this test session's alone (emptied before and after)."""
    base = os.environ.get("TEST_REDIS_URL")
    if not base:
        pytest.skip("TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    import redis

    claims = redis.Redis.from_url(base)
    token = uuid.uuid4().hex
    number = next(
        (n for n in range(12, 0, -1) if claims.set(CLAIM_KEY.format(n), token, nx=True, ex=7200)),
        None,
    )
    if number is None:
        pytest.fail("every Redis database 1-12 is claimed by another test session")
    url = _with_db(base, number)
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        if claims.get(CLAIM_KEY.format(number)) == token.encode():
            claims.delete(CLAIM_KEY.format(number))


@pytest.fixture
def redis_client(redis_url: str) -> Any:
    import redis

    return redis.Redis.from_url(redis_url)


@dataclass
class App:
    """The test app in a folder of its own, run as ``python manage.py ...`` subprocesses."""

    root: Path
    redis_url: str
    queue: str
    env: dict[str, str]
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py ARGS`` to the end (at most ``timeout`` seconds)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start ``manage.py ARGS`` in a session of its own (killed at the end of the test)."""
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def enqueue(self, *command: str, options: tuple[str, ...] = ()) -> str:
        """``rq enqueue --queue <this test's queue> OPTIONS -- COMMAND``; returns the job id."""
        result = self.run("rq", "enqueue", "--queue", self.queue, *options, "--", *command)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()[2]

    def burst(self, *queues: str, **env: str) -> subprocess.CompletedProcess[str]:
        """``rq worker --burst`` on this test's queue (or QUEUES)."""
        return self.run("rq", "worker", "--burst", *(queues or (self.queue,)), **env)

    def factory_calls(self) -> list[str]:
        """``"<pid> <config>"`` for each call of the app factory since the last :meth:`forget_factory_calls`."""
        path = self.root / "factory.log"
        return path.read_text().splitlines() if path.exists() else []

    def forget_factory_calls(self) -> None:
        (self.root / "factory.log").unlink(missing_ok=True)

    def job(self, job_id: str) -> Any:
        import redis
        from rq.job import Job

        return Job.fetch(job_id, connection=redis.Redis.from_url(self.redis_url))

    @staticmethod
    def wait_until(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
        """Poll ``condition`` every 50 ms until it is true; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)


@pytest.fixture
def app(tmp_path: Path, redis_url: str) -> Iterator[App]:
    (tmp_path / "manage.py").write_text(textwrap.dedent(MANAGE_PY))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "RQ_", "REDIS_"))
    }
    env.update(
        FACTORY_LOG=str(tmp_path / "factory.log"),
        APP_REDIS_URL=redis_url,
        FLASK_SCRIPT_HUB_DISABLE_PLUGINS="db,migrate",
        PYTHONUNBUFFERED="1",
    )
    project = App(tmp_path, redis_url, f"q-{uuid.uuid4().hex[:12]}", env)
    try:
        yield project
    finally:
        project.stop_all()
