"""Bad input and faults: typos, failing commands, dead workers, failing factories, Redis down."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest


def _client(app):
    import redis

    return redis.Redis.from_url(app.redis_url)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _error(job) -> str:
    result = job.latest_result()
    assert result is not None and result.type.name == "FAILED"
    return str(result.exc_string)


def _queue(app):
    from rq import Queue

    return Queue(app.queue, connection=_client(app))


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["helo"], "invalid choice: 'helo'"),
        (["hello", "--nme", "x"], "unrecognized arguments: --nme x"),
        (["fail", "--code", "four"], "argument -c/--code: invalid int value: 'four'"),
        (["rq", "worker"], "'rq' cannot run on a worker"),
        (["shell"], "'shell' cannot run on a worker"),
        ([], "give the command line after '--'"),
    ],
)
def test_a_bad_command_line_exits_2_and_makes_no_job(app, command, message) -> None:
    result = app.run("rq", "enqueue", "-q", app.queue, "--", *command)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _queue(app).count == 0


def test_a_failing_command_ends_in_the_failed_registry_with_status_and_last_lines(app) -> None:
    job_id = app.enqueue("fail", "--code", "4")
    assert app.burst().returncode == 0
    job = app.job(job_id)
    assert job.get_status() == "failed"
    assert job_id in _queue(app).failed_job_registry.get_job_ids()
    assert "'fail --code 4' exited with status 4" in _error(job)
    assert "line 29" in _error(job) and "line 5\n" not in _error(job)  # the last lines only
    assert "something went wrong" in _error(job)
    assert job.meta["exit_status"] == 4

    shown = app.run("rq", "result", job_id)
    assert shown.returncode == 4
    assert shown.stdout.startswith("line 0\n")
    assert shown.stderr == "something went wrong\n"

    listed = app.run("rq", "jobs", "-q", app.queue, "--status", "failed")
    assert job_id in listed.stdout and "manage.py fail --code 4" in listed.stdout


def test_a_raising_command_fails_with_status_1_and_its_traceback(app) -> None:
    job_id = app.enqueue("boom")
    assert app.burst().returncode == 0
    job = app.job(job_id)
    assert job.get_status() == "failed"
    assert job.meta["exit_status"] == 1
    assert "RuntimeError: kaboom" in job.meta["stderr"]
    assert "exited with status 1" in _error(job)


def test_retry_runs_a_failed_command_again_and_loses_nothing(app, tmp_path) -> None:
    marker = str(tmp_path / "flaky")
    job_id = app.enqueue("flaky", marker, options=("--retry", "2"))
    assert app.burst().returncode == 0
    job = app.job(job_id)
    assert job.get_status() == "finished"
    assert job.return_value()["stdout"] == "second try works\n"
    assert _queue(app).failed_job_registry.count == 0


def test_requeue_puts_a_failed_job_back_and_it_runs(app, tmp_path) -> None:
    marker = str(tmp_path / "flaky")
    job_id = app.enqueue("flaky", marker)
    app.burst()
    assert app.job(job_id).get_status() == "failed"
    requeued = app.run("rq", "requeue", job_id)
    assert (requeued.returncode, requeued.stdout) == (0, "requeued 1 job\n")
    assert app.job(job_id).get_status() == "queued"
    app.burst()
    assert app.job(job_id).get_status() == "finished"

    again = app.run("rq", "requeue", job_id)
    assert again.returncode == 1
    assert again.stderr == f"error: job {job_id} is finished, not failed: nothing to requeue\n"


def test_requeue_all(app, tmp_path) -> None:
    ids = [app.enqueue("flaky", str(tmp_path / f"m{n}")) for n in range(3)]
    app.burst()
    result = app.run("rq", "requeue", "--all", "-q", app.queue)
    assert result.stdout == "requeued 3 jobs\n"
    app.burst()
    assert {app.job(i).get_status() for i in ids} == {"finished"}


def test_a_worker_killed_mid_job_leaves_an_abandoned_job_that_can_be_requeued(
    app, tmp_path
) -> None:
    from rq.registry import StartedJobRegistry

    marker = tmp_path / "nap"
    job_id = app.enqueue("nap", "60", "--marker", str(marker))
    worker = app.start("rq", "worker", app.queue)
    app.wait_until(marker.exists, what="the job to start")
    horses = _children(worker.pid)  # RQ's work horse runs in a session of its own
    assert horses
    for pid in [worker.pid, *horses]:  # the worker and its work horse: a machine lost
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert app.job(job_id).get_status() == "started"  # nobody knows yet

    # RQ declares the job abandoned once its heartbeat expires (a minute or more later); here
    # RQ's cleanup is asked about a time past that expiry instead of waiting for it.
    registry = StartedJobRegistry(app.queue, connection=_client(app))
    registry.cleanup(timestamp=time.time() + 3600)
    job = app.job(job_id)
    assert job.get_status() == "failed"
    assert "AbandonedJobError" in _error(job)

    listed = app.run("rq", "jobs", "-q", app.queue, "-s", "failed")
    assert job_id in listed.stdout
    assert app.run("rq", "requeue", job_id).returncode == 0
    assert app.burst().returncode == 0
    assert app.job(job_id).return_value()["stdout"] == "no nap needed\n"


def test_a_failing_factory_stops_the_worker_before_any_job(app) -> None:
    job_id = app.enqueue("hello")
    worker = app.burst(FACTORY_FAILS="1")
    assert worker.returncode == 1
    assert worker.stderr == (
        "error: the app factory create_app() failed: RuntimeError: the database is down\n"
    )
    assert app.job(job_id).get_status() == "queued"
    pool = app.run("rq", "worker-pool", "--burst", app.queue, FACTORY_FAILS="1")
    assert (pool.returncode, pool.stderr) == (1, worker.stderr)
    assert app.job(job_id).get_status() == "queued"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [
        ["rq", "info"],
        ["rq", "jobs"],
        ["rq", "worker", "--burst"],
        ["rq", "worker-pool", "--burst"],
        ["rq", "enqueue", "--", "hello"],
        ["rq", "suspend"],
    ],
)
def test_redis_down_is_one_line_with_the_password_masked(app, args) -> None:
    url = f"redis://user:s3cret@127.0.0.1:{_free_port()}/0"
    result = (
        app.run(*args, "--url", url)
        if "--" not in args
        else app.run(*args[:2], "--url", url, *args[2:])
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use Redis at redis://user:***@127.0.0.1:")
    assert result.stderr.count("\n") == 1
    assert "s3cret" not in result.stdout + result.stderr


def test_a_wrong_password_is_masked_in_the_config_url_too(app, redis_url) -> None:
    url = redis_url.replace("redis://", "redis://nobody:hunter2@")
    result = app.run("rq", "info", APP_REDIS_URL=url)
    assert result.returncode == 1
    assert "redis://nobody:***@" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_a_malformed_url_is_one_line(app) -> None:
    result = app.run("rq", "info", "--url", "http://:pw@example.invalid/0")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use Redis at http://:***@example.invalid/0: ")
    assert "pw@" not in result.stderr


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_retry_connect_waits_for_redis_then_works(app, tmp_path) -> None:
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    worker = app.start("rq", "worker", "--burst", "--retry-connect", "--url", url, app.queue)
    time.sleep(2)
    assert worker.poll() is None  # still trying, not failed
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        worker.wait(timeout=60)
        assert worker.returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_password_is_never_printed_by_any_command(app, tmp_path) -> None:
    port = _free_port()
    password = "pw-" + "x7Q9" * 4
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--requirepass", password],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    masked = f"redis://:***@127.0.0.1:{port}/0"
    try:
        app.wait_until(lambda: app.run("rq", "info", APP_REDIS_URL=url).returncode == 0)
        outputs = [
            app.run("rq", "enqueue", "-q", app.queue, "--", "fail", APP_REDIS_URL=url),
            app.run("rq", "worker", "--burst", "-l", "DEBUG", app.queue, APP_REDIS_URL=url),
            app.run("rq", "info", APP_REDIS_URL=url),
            app.run("rq", "info", "--json", APP_REDIS_URL=url),
            app.run("rq", "jobs", APP_REDIS_URL=url),
            app.run("rq", "result", "nope", APP_REDIS_URL=url),
            app.run("rq", "requeue", "--all", APP_REDIS_URL=url),
        ]
        for result in outputs:
            assert password not in result.stdout + result.stderr, result.args
        assert outputs[2].stdout.startswith(f"Redis: {masked}\n")
        assert f'"url": "{masked}"' in outputs[3].stdout
        assert outputs[5].stderr == f"error: no job 'nope' on {masked}\n"
    finally:
        server.terminate()
        server.wait(timeout=30)
