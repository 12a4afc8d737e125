"""Fixtures of flask-script-hub-compat's tests: old projects run as users run them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# the core's Flask-Script 2.0.6 manage.py and its checks are shared with these tests
sys.path.insert(0, str(ROOT / "tests"))

# the old projects under data/ are run by the tests, not collected (Flasky has its own tests/)
collect_ignore_glob = ["data/*"]
