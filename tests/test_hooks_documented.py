"""Every hook is documented (docs/hooks.md, with its parameters) and implemented by some test."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOK_MODULES = ["flask_script_hub.hookspecs", "flask_script_hub_db.hookspecs"]


def hookspecs():
    for module_name in HOOK_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # the plugin is not installed here
            continue
        for name, func in vars(module).items():
            if callable(func) and hasattr(func, "flask_script_hub_spec"):
                yield pytest.param(func, id=name)


@pytest.mark.parametrize("spec", list(hookspecs()))
def test_hook_is_documented(spec):
    docs = (ROOT / "docs" / "hooks.md").read_text()
    match = re.search(rf"def {spec.__name__}\((.*?)\)", docs, re.S)
    assert match, f"docs/hooks.md shows no signature for {spec.__name__}"
    documented = re.findall(r"(\w+)\s*:", match.group(1))
    assert documented == list(inspect.signature(spec).parameters), spec.__name__


@pytest.mark.parametrize("spec", list(hookspecs()))
def test_hook_is_implemented_by_a_test(spec):
    sources = [
        path.read_text()
        for folder in ("tests", "plugins/db/tests", "plugins/migrate/tests")
        for path in (ROOT / folder).rglob("*.py")
    ]
    pattern = re.compile(rf"@hookimpl\s+def {spec.__name__}\(")
    assert any(pattern.search(source) for source in sources), f"no test implements {spec.__name__}"


def test_core_hooks_found():
    names = {p.id for p in hookspecs()}
    assert {"namespace_command", "add_hookspecs", "register_commands", "shell_context"} <= names
