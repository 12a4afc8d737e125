"""``rq info``, ``jobs``, ``result``, ``cancel``, ``empty``, ``suspend`` and ``resume``."""

from __future__ import annotations

import json


def test_info_shows_queues_counts_and_the_masked_url(app) -> None:
    app.enqueue("hello")
    app.enqueue("fail")
    app.burst()
    app.enqueue("hello")
    result = app.run("rq", "info", "--json", app.queue)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["url"] == app.redis_url
    assert report["queues"] == [
        {
            "name": app.queue,
            "queued": 1,
            "started": 0,
            "scheduled": 0,
            "deferred": 0,
            "finished": 1,
            "failed": 1,
            "canceled": 0,
        }
    ]
    assert report["suspended"] is False

    text = app.run("rq", "info", app.queue)
    lines = text.stdout.splitlines()
    assert lines[0] == f"Redis: {app.redis_url}"
    assert lines[1].split() == [
        "queue",
        *(["queued", "started", "scheduled", "deferred", "finished", "failed", "canceled"]),
    ]
    assert lines[2].split() == [app.queue, "1", "0", "0", "0", "1", "1", "0"]


def test_info_lists_a_running_worker(app) -> None:
    worker = app.start("rq", "worker", "--name", f"w-{app.queue}", app.queue)

    def listed():
        # rq registers a worker's birth before its first state: until then RQ reports "?"
        report = json.loads(app.run("rq", "info", "--json", app.queue).stdout)
        workers = [w for w in report["workers"] if w["name"] == f"w-{app.queue}"]
        return workers if workers and workers[0]["state"] != "?" else []

    (entry,) = app.wait_until(listed, what="the worker to register and report its state")
    assert entry["queues"] == [app.queue]
    assert entry["state"] in ("idle", "started")
    worker.terminate()
    worker.communicate(timeout=60)
    assert worker.returncode == 0


def test_a_worker_name_in_use_is_one_line(app) -> None:
    name = f"w-{app.queue}"
    app.start("rq", "worker", "--name", name, app.queue)
    app.wait_until(lambda: name in app.run("rq", "info", app.queue).stdout, what="the worker")
    second = app.run("rq", "worker", "--burst", "--name", name, app.queue)
    assert second.returncode == 1
    assert second.stderr.splitlines()[-1].startswith(
        "error: ValueError: There exists an active worker named"
    )


def test_jobs_lists_by_status(app) -> None:
    done = app.enqueue("hello")
    app.burst()
    waiting = app.enqueue("hello", "--name", "later")
    every = app.run("rq", "jobs", "-q", app.queue).stdout
    assert every.splitlines()[0].split() == ["job", "status", "queue", "enqueued", "command"]
    assert f"{waiting}  queued" in every and f"{done}  finished" in every
    queued = app.run("rq", "jobs", "-q", app.queue, "-s", "queued").stdout
    assert waiting in queued and done not in queued
    assert "manage.py hello --name later" in queued
    assert app.run("rq", "jobs", "-q", app.queue + "-none").stdout == "no jobs\n"
    bad = app.run("rq", "jobs", "-s", "lost")
    assert bad.returncode == 2 and "invalid choice: 'lost'" in bad.stderr


def test_result_of_a_job_not_run_yet_or_unknown(app) -> None:
    job_id = app.enqueue("hello")
    waiting = app.run("rq", "result", job_id)
    assert (waiting.returncode, waiting.stderr) == (
        1,
        f"error: job {job_id} is queued: it has no result\n",
    )
    unknown = app.run("rq", "result", "nope")
    assert unknown.returncode == 1
    assert unknown.stderr == f"error: no job 'nope' on {app.redis_url}\n"


def test_cancel_a_queued_job_it_never_runs(app) -> None:
    job_id = app.enqueue("hello")
    result = app.run("rq", "cancel", job_id)
    assert (result.returncode, result.stdout) == (0, f"canceled job {job_id}\n")
    app.burst()
    assert app.job(job_id).get_status() == "canceled"
    again = app.run("rq", "cancel", job_id)
    assert (again.returncode, again.stderr) == (1, f"error: job {job_id} is already canceled\n")


def test_cancel_a_running_job_stops_it(app) -> None:
    job_id = app.enqueue("nap", "60")
    app.start("rq", "worker", app.queue)
    app.wait_until(lambda: app.job(job_id).get_status() == "started", what="the job to start")
    result = app.run("rq", "cancel", job_id)
    assert result.stdout == f"asked the worker to stop job {job_id}\n"
    app.wait_until(lambda: app.job(job_id).get_status() == "stopped", what="the job to stop")


def test_empty_asks_and_refuses_without_a_terminal(app) -> None:
    ids = [app.enqueue("hello") for _ in range(3)]
    refused = app.run("rq", "empty", app.queue)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"error: refusing to empty queue {app.queue!r} (3 jobs) without --yes: "
        "stdin is not a terminal; nothing was deleted\n"
    )
    assert app.job(ids[0]).get_status() == "queued"
    done = app.run("rq", "empty", app.queue, "--yes")
    assert done.stdout == f"deleted 3 jobs from queue {app.queue!r}\n"
    assert app.run("rq", "empty", app.queue).stdout == f"queue {app.queue!r} is already empty\n"
    # the day after: the queue still works
    job_id = app.enqueue("hello")
    app.burst()
    assert app.job(job_id).get_status() == "finished"


def test_suspend_holds_the_workers_and_resume_lets_them_go(app) -> None:
    job_id = app.enqueue("hello")
    assert app.run("rq", "suspend").stdout == "workers suspended until 'rq resume'\n"
    try:
        assert json.loads(app.run("rq", "info", "--json", app.queue).stdout)["suspended"] is True
        assert app.burst().returncode == 0  # RQ: a suspended burst worker exits at once
        assert app.job(job_id).get_status() == "queued"
    finally:
        assert app.run("rq", "resume").stdout == "workers resumed\n"
    app.burst()
    assert app.job(job_id).get_status() == "finished"
    timed = app.run("rq", "suspend", "--duration", "1m")
    assert timed.stdout == "workers suspended for 60 s\n"
    app.run("rq", "resume")
