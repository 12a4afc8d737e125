"""Repository-wide pytest hooks: in CI, a test skipped for a missing service URL is a failure."""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if os.environ.get("FLASK_SCRIPT_HUB_CI") and report.skipped:
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if "_URL" in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where the services run: {reason}"
    return report
