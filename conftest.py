"""Repository-wide pytest hooks: in CI, a test skipped for a missing service URL is a failure;
every manage.py run by the tests keeps its entry-point cache in the test session's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def entry_point_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The entry-point cache folder of the session (``XDG_CACHE_HOME``), never ``~/.cache``."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder / "flask-script-hub"
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if os.environ.get("FLASK_SCRIPT_HUB_CI") and report.skipped:
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if "_URL" in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where the services run: {reason}"
    return report
