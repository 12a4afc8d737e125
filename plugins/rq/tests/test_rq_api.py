"""The Python API ``enqueue_command`` and the ``rq_job_options`` hook, in-process."""

from __future__ import annotations

import pytest
from flask import Flask

import flask_script_hub_rq.plugin
from flask_script_hub import InvalidCommand, Manager, hookimpl
from flask_script_hub.testing import ManagerRunner
from flask_script_hub_rq import enqueue_command

ENV = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1", "FLASK_SCRIPT_HUB_TRACEBACK": None}


class Imports:
    """An app's policy: imports go to their own queue, with a long timeout; no 'danger'."""

    @hookimpl
    def rq_job_options(self, path, argv):
        if path == ["load"]:
            return {"queue": "imports", "timeout": "2h", "retry": 3}
        if path == ["danger"]:
            return {"allowed": False, "reason": "it asks questions"}
        return None


def make_manager(redis_url: str) -> Manager:
    app = Flask("api")
    app.config["RQ_REDIS_URL"] = redis_url
    manager = Manager(app, plugins=[])

    @manager.command
    def load(path):
        """Load a file."""

    @manager.command
    def danger():
        """Ask a question."""

    manager.register_plugin(flask_script_hub_rq.plugin, name="rq")
    manager.plugin_manager.register(Imports(), name="imports-policy")
    return manager


def test_enqueue_command_checks_the_line_and_returns_the_rq_job(redis_client, redis_url) -> None:
    manager = make_manager(redis_url)
    job = enqueue_command(["load", "big.jsonl"], connection=redis_client, manager=manager)
    assert job.origin == "imports"  # the hook's default queue
    assert job.timeout == 7200
    assert job.retries_left == 3
    assert job.args == (["load", "big.jsonl"],)
    assert job.description == "manage.py load big.jsonl"
    assert job.func_name == "flask_script_hub_rq.jobs.run_command"

    chosen = enqueue_command(
        ["load", "x"], queue="urgent", timeout=5, connection=redis_client, manager=manager
    )
    assert (chosen.origin, chosen.timeout) == ("urgent", 5)  # the caller wins over hooks
    job.delete()
    chosen.delete()


def test_enqueue_command_refuses_typos_and_refused_commands(
    redis_client, redis_url, capsys
) -> None:
    manager = make_manager(redis_url)
    with pytest.raises(SystemExit) as exit_info:
        enqueue_command(["lod", "x"], connection=redis_client, manager=manager)
    assert exit_info.value.code == 2
    assert "invalid choice: 'lod'" in capsys.readouterr().err
    with pytest.raises(InvalidCommand, match="'danger' cannot run on a worker: it asks questions"):
        enqueue_command(["danger"], connection=redis_client, manager=manager)


def test_enqueue_command_from_app_code_uses_the_app_config(redis_url) -> None:
    app = Flask("web")
    app.config["RQ_REDIS_URL"] = redis_url
    with app.app_context():
        job = enqueue_command(["anything", "--goes"], queue="from-web")  # no manager: unchecked
    assert job.connection.connection_pool.connection_kwargs["db"] == int(
        redis_url.rsplit("/", 1)[1]
    )
    assert job.origin == "from-web"
    job.delete()


def test_rq_enqueue_in_process_with_the_hook(redis_url) -> None:
    manager = make_manager(redis_url)
    result = ManagerRunner().invoke(manager, ["rq", "enqueue", "--", "load", "a.csv"], env=ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("enqueued job ")
    assert "on queue 'imports': " in result.stdout and result.stdout.endswith(" load a.csv\n")

    refused = ManagerRunner().invoke(manager, ["rq", "enqueue", "--", "danger"], env=ENV)
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: 'danger' cannot run on a worker: it asks questions\n",
    )
    help_text = ManagerRunner().invoke(manager, ["rq", "--help"], env=ENV).stdout
    for name in ("worker", "worker-pool", "enqueue", "info", "jobs", "result", "cancel"):
        assert f"\n    {name} " in help_text or f"\n  {name} " in help_text
