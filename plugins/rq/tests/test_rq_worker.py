"""``rq enqueue`` then ``rq worker``: jobs are manage.py command lines run in the worker's app."""

from __future__ import annotations

import os
import signal


def test_enqueued_command_runs_on_a_burst_worker_with_its_output_kept(app) -> None:
    job_id = app.enqueue("hello", "--name", "Ada")
    assert app.job(job_id).get_status() == "queued"

    worker = app.burst("-c", "production")  # wrong place for a manager option: a usage error
    assert worker.returncode == 2

    worker = app.run("-c", "production", "rq", "worker", "--burst", app.queue)
    assert worker.returncode == 0, worker.stderr
    job = app.job(job_id)
    assert job.get_status() == "finished"
    assert job.return_value() == {
        "argv": ["hello", "--name", "Ada"],
        "exit_status": 0,
        "stdout": "hello Ada from production\n",
        "stderr": "",
    }
    shown = app.run("rq", "result", job_id)
    assert (shown.returncode, shown.stdout) == (0, "hello Ada from production\n")


def test_the_factory_runs_once_per_worker_and_each_job_gets_a_fresh_app_context(app) -> None:
    ids = [app.enqueue("context") for _ in range(5)]
    app.forget_factory_calls()  # rq enqueue creates the app too (for its config)
    worker = app.run("-c", "staging", "rq", "worker", "--burst", app.queue)
    assert worker.returncode == 0, worker.stderr
    assert [app.job(i).return_value()["stdout"] for i in ids] == ["fresh\n"] * 5
    calls = app.factory_calls()
    assert len(calls) == 1, calls  # five jobs, one app
    assert calls[0].endswith(" staging")


def test_queues_are_worked_in_the_order_given(app) -> None:
    low, high = app.queue + "-low", app.queue + "-high"
    app.run("rq", "enqueue", "-q", low, "--", "hello", "--name", "low")
    app.run("rq", "enqueue", "-q", high, "--", "hello", "--name", "high")
    worker = app.run("rq", "worker", "--burst", high, low)
    assert worker.returncode == 0
    log = worker.stdout + worker.stderr
    assert log.index("--name high") < log.index("--name low")


def test_sigterm_finishes_the_running_job_then_exits_0(app) -> None:
    job_id = app.enqueue("nap", "2")
    worker = app.start("rq", "worker", app.queue)
    app.wait_until(lambda: app.job(job_id).get_status() == "started", what="the job to start")
    os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    assert worker.returncode == 0
    assert app.job(job_id).get_status() == "finished"
    assert app.job(job_id).return_value()["stdout"] == "slept\n"


def test_wait_follows_the_job_and_exits_with_the_commands_status(app) -> None:
    app.start("rq", "worker", app.queue)
    ok = app.run("rq", "enqueue", "-q", app.queue, "--wait", "--", "hello", timeout=60)
    assert (ok.returncode, ok.stdout) == (0, "hello world from None\n")
    assert "enqueued job" in ok.stderr

    failed = app.run("rq", "enqueue", "-q", app.queue, "--wait", "--", "fail", "--code", "4")
    assert failed.returncode == 4
    assert failed.stdout.endswith("line 29\n")
    assert failed.stderr.endswith("something went wrong\n")


def test_wait_timeout_gives_up_but_keeps_the_job(app) -> None:
    waited = app.run(
        "rq", "enqueue", "-q", app.queue, "--wait", "--wait-timeout", "0.5", "--", "hello"
    )
    assert waited.returncode == 1
    assert "is still queued after 0.5 s" in waited.stderr
    assert "Traceback" not in waited.stderr
    assert app.burst().returncode == 0
    job_id = waited.stderr.split()[2]
    assert app.job(job_id).get_status() == "finished"


def test_worker_pool_drains_the_queue_with_one_app(app) -> None:
    ids = [app.enqueue("context") for _ in range(6)]
    app.forget_factory_calls()
    pool = app.run("rq", "worker-pool", "-n", "2", "--burst", app.queue, timeout=120)
    assert pool.returncode == 0, pool.stderr
    assert {app.job(i).get_status() for i in ids} == {"finished"}
    assert len(app.factory_calls()) == 1


def test_scheduled_job_runs_when_due_on_a_worker_with_scheduler(app) -> None:
    job_id = app.enqueue("hello", options=("--in", "1s"))
    assert app.job(job_id).get_status() == "scheduled"
    worker = app.start("rq", "worker", "--with-scheduler", app.queue)
    app.wait_until(lambda: app.job(job_id).get_status() == "finished", what="the scheduled job")
    os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    assert worker.returncode == 0


def test_depends_on_runs_after_the_job_it_names(app) -> None:
    first = app.enqueue("hello", "--name", "first")
    second = app.enqueue("hello", "--name", "second", options=("--depends-on", first))
    assert app.job(second).get_status() == "deferred"
    worker = app.burst()
    assert worker.returncode == 0
    assert app.job(second).return_value()["stdout"] == "hello second from None\n"
    unknown = app.run("rq", "enqueue", "-q", app.queue, "--depends-on", "nope", "--", "hello")
    assert unknown.returncode == 1
    assert unknown.stderr == f"error: no job 'nope' on {app.redis_url}\n"


def test_at_a_past_time_runs_with_the_scheduler(app) -> None:
    job_id = app.enqueue("hello", options=("--at", "2020-01-01T00:00:00+00:00"))
    assert app.job(job_id).get_status() == "scheduled"
    worker = app.start("rq", "worker", "--with-scheduler", app.queue)
    app.wait_until(lambda: app.job(job_id).get_status() == "finished", what="the job")
    os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)


def test_bad_schedule_options_are_usage_errors(app) -> None:
    both = app.run("rq", "enqueue", "--at", "2030-01-01T00:00", "--in", "10m", "--", "hello")
    assert (both.returncode, both.stderr) == (2, "usage error: give --at or --in, not both\n")
    bad = app.run("rq", "enqueue", "--in", "soon", "--", "hello")
    assert bad.returncode == 2
    assert "argument --in: invalid duration 'soon'" in bad.stderr
    bad_at = app.run("rq", "enqueue", "--at", "tomorrow", "--", "hello")
    assert bad_at.returncode == 2
    assert "argument --at: invalid ISO 8601 date-time 'tomorrow'" in bad_at.stderr
