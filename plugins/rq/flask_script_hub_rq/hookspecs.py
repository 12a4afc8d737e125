"""Hook specifications the ``rq`` plugin adds to flask-script-hub. Nothing else.

The plugin's ``add_hookspecs`` hook adds them when the ``rq`` plugin is registered (and
:func:`flask_script_hub_rq.enqueue_command` when it is used without the plugin); an app implements
them in an object it registers with ``manager.register_plugin(...)``, another plugin in the module
its entry point names.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("flask_script_hub")


@hookspec
def rq_job_options(path: list[str], argv: list[str]) -> dict[str, Any] | None:
    """Say whether a command may run on a worker, and its default queue, timeout and retries.

    Called before a command line is enqueued (``manage.py rq enqueue`` or ``enqueue_command``),
    after it has been parsed.

    :param path: the command words (``["db", "populate"]``), as typed.
    :param argv: the whole command line after the program name.
    :returns: ``None`` (no opinion) or a ``dict`` with any of these keys:
        ``"allowed"`` (``bool``: ``False`` refuses to enqueue the command, exit status 1),
        ``"reason"`` (``str``: shown with a refusal),
        ``"queue"`` (``str``: the default queue name),
        ``"timeout"`` (``int`` seconds or RQ's ``"10m"`` form: the default job timeout),
        ``"retry"`` (``int``: default number of retries) and
        ``"retry_interval"`` (``int`` seconds between retries).
        Options given on the command line win over these; for each key, the first plugin
        (in pluggy's call order) that gives it wins.
    """
