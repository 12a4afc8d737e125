"""flask-script-hub-rq: the ``rq`` namespace of ``manage.py``, running manage.py commands on RQ.

Installing the distribution mounts ``manage.py rq`` through the entry point
``[project.entry-points.flask_script_hub] rq = "flask_script_hub_rq.plugin"``. This package stays
light to import: RQ and redis-py are imported by the commands, not here.

The Python API: :func:`enqueue_command` (from :mod:`flask_script_hub_rq.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import enqueue_command as enqueue_command

__version__ = "0.1.0"

__all__ = ["__version__", "enqueue_command"]


def __getattr__(name: str) -> Any:
    # imported on first use: the api module needs Flask and the core's manager
    if name == "enqueue_command":
        from .api import enqueue_command

        return enqueue_command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
