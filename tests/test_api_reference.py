"""The API reference (docs/api.md) covers the public API, and its cross-references are checked.

Every name in the ``__all__`` of a public module of the core and the first-party plugins is
rendered on the page (a ``::: target`` directive for it, for an object it is the same as, or for
its module) or named in :data:`EXCLUDED` with the reason. The docs build (``mkdocs build
--strict``, run by ``make test``) fails on a cross-reference it cannot resolve: a Sphinx role in a
docstring (turned into a cross-reference by ``docs/griffe_sphinx_roles.py``) or a ``[text][id]``
reference on a page.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
API_PAGE = ROOT / "docs" / "api.md"
PACKAGES = [
    "flask_script_hub",
    "flask_script_hub_db",
    "flask_script_hub_migrate",
    "flask_script_hub_rq",
    "flask_script",
]
#: public names (``module`` or ``module.name``) deliberately not on the API page, with the reason
EXCLUDED = {
    "flask_script_hub.__version__": "the version string (docs/compatibility.md)",
    "flask_script_hub_rq.__version__": "the version string (docs/compatibility.md)",
    "flask_script_hub_rq.commandline": "implementation of `manage.py rq enqueue` (docs/rq.md)",
    "flask_script_hub_rq.connection": "implementation of the rq commands' --url (docs/rq.md)",
    "flask_script_hub_rq.monitoring": "implementation of the rq monitoring commands (docs/rq.md)",
    "flask_script_hub_rq.workers": "implementation of `manage.py rq worker` (docs/rq.md)",
    "flask_script_hub.isolation": "how plugin code is run apart (docs/plugins.md), not an API",
    "flask_script_hub.context.invocation": "the context variable behind current_invocation()",
    "flask_script_hub.parsing.ARGS_DEST": "the Manager's own parsing and help (ManagerParser)",
    "flask_script_hub.parsing.COMMAND_DEST": "the Manager's own parsing and help (ManagerParser)",
    "flask_script_hub.parsing.Sections": "the Manager's own parsing and help (ManagerParser)",
    "flask_script_hub.parsing.parse_manager_options": "the Manager's own parsing (Manager.parse)",
    "flask_script_hub.parsing.plugin_summary": "the Manager's own help (ManagerParser)",
    "flask_script_hub.parsing.summary": "the Manager's own help (ManagerParser)",
    "flask_script_hub.parsing.unknown_command_message": "the Manager's own usage errors",
    "flask_script_hub.parsing.unrecognized_message": "the Manager's own usage errors",
    "flask_script_hub.pluginmanager.validation_message": "HubPluginManager's own error text",
}
DIRECTIVE = re.compile(r"^::: (?P<target>[\w.]+)\n(?P<options>(?:    .*\n)*)", re.M)
MEMBERS = re.compile(r"members: \[(?P<names>[^\]]*)\]")
REFERENCE = re.compile(r"\]\[(?P<target>[\w.]+)\]")


def public_modules() -> list[ModuleType]:
    """Every module of :data:`PACKAGES` whose dotted name has no ``_``-prefixed part."""
    modules = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules.append(package)
        for info in pkgutil.iter_modules(package.__path__, f"{package_name}."):
            if not info.name.rpartition(".")[2].startswith("_"):
                modules.append(importlib.import_module(info.name))
    return modules


def lookup(path: str) -> Any:
    """The object of a dotted path: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise LookupError(path)


def documented() -> tuple[set[str], list[Any]]:
    """The targets of the page's directives and references, and the objects they render."""
    page = API_PAGE.read_text()
    targets: set[str] = set()
    objects: list[Any] = []
    for match in DIRECTIVE.finditer(page):
        target = match["target"]
        targets.add(target)
        obj = lookup(target)
        members = MEMBERS.search(match["options"])
        if isinstance(obj, ModuleType):
            names = (
                [n.strip() for n in members["names"].split(",")]
                if members
                else list(getattr(obj, "__all__", []))
            )
            targets.update(f"{target}.{n}" for n in names)
            objects += [getattr(obj, n) for n in names]
        else:
            objects.append(obj)
    for match in REFERENCE.finditer(page):
        targets.add(match["target"])
        objects.append(lookup(match["target"]))
    return targets, objects


def test_every_public_name_is_on_the_api_page() -> None:
    targets, objects = documented()
    missing = []
    for module in public_modules():
        if module.__name__ in EXCLUDED:
            continue
        for name in getattr(module, "__all__", []):
            path = f"{module.__name__}.{name}"
            if path in EXCLUDED or path in targets:
                continue
            value = getattr(module, name)
            if not any(value is obj for obj in objects):
                missing.append(path)
    assert not missing, f"public names missing from docs/api.md: {missing}"


def test_exclusions_name_public_things_that_exist() -> None:
    names = {m.__name__ for m in public_modules()}
    for path in EXCLUDED:
        module, _, name = path.rpartition(".")
        assert path in names or (module in names and hasattr(lookup(module), name)), path


def test_the_page_is_in_the_nav_and_its_directives_resolve() -> None:
    assert "API: api.md" in (ROOT / "mkdocs.yml").read_text()
    for match in DIRECTIVE.finditer(API_PAGE.read_text()):
        lookup(match["target"])  # raises for a target that does not exist


def load_roles() -> ModuleType:
    spec = importlib.util.spec_from_file_location("roles", ROOT / "docs" / "griffe_sphinx_roles.py")
    assert spec is not None and spec.loader is not None
    roles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roles)
    return roles


def test_sphinx_roles_become_cross_references_or_code() -> None:
    pytest.importorskip("griffe")
    roles = load_roles()
    text = (
        "Uses :class:`~flask_script_hub.Manager`, :meth:`flask_script_hub.Command.run` and "
        ":class:`flask.Flask` (:exc:`ValueError`).\n:attr needs_app: x"
    )
    assert roles.convert(text) == (
        "Uses [`Manager`][flask_script_hub.Manager], "
        "[`flask_script_hub.Command.run`][flask_script_hub.Command.run] and "
        "`flask.Flask` (`ValueError`).\n- `needs_app`: x"
    )
    assert "docs/griffe_sphinx_roles.py:SphinxRoles" in (ROOT / "mkdocs.yml").read_text()


def test_role_targets_resolve_in_the_scope_of_the_documented_object() -> None:
    griffe = pytest.importorskip("griffe")
    roles = load_roles()
    package = griffe.load("flask_script_hub", search_paths=[str(ROOT)])
    command = package["commands.Command"]
    assert roles.resolve(command, "Option") == "flask_script_hub.commands.Option"
    assert roles.resolve(command, "run") == "flask_script_hub.commands.Command.run"
    assert roles.resolve(package["manager"], ".Command.run") == (
        "flask_script_hub.commands.Command.run"
    )
    assert roles.resolve(command, "NoSuchThing") == "NoSuchThing"  # left for autorefs to report


MKDOCS_YML = """\
site_name: mini
docs_dir: docs
nav: [index.md]
plugins:
  - mkdocstrings:
      handlers:
        python:
          paths: [src]
          options:
            extensions: [{roles}:SphinxRoles]
            docstring_style: sphinx
"""
BROKEN_ROLES = '''
class Thing:
    """A thing; see :class:`Other` and :meth:`~Thing.go`."""

    def go(self) -> None:
        """Go, as :class:`NoSuchClass` does."""
'''


def build_mini_site(tmp_path: Path, source: str, page: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of a one-page site documenting the package ``minipkg``."""
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "src" / "minipkg").mkdir(parents=True, exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text(
        MKDOCS_YML.format(roles=ROOT / "docs" / "griffe_sphinx_roles.py")
    )
    (tmp_path / "src" / "minipkg" / "__init__.py").write_text(source)
    (tmp_path / "docs" / "index.md").write_text(f"# Mini\n\n::: minipkg.Thing\n\n{page}\n")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""},
    )


@pytest.mark.slow
def test_a_broken_role_in_a_docstring_fails_the_strict_docs_build(tmp_path: Path) -> None:
    pytest.importorskip("mkdocstrings_handlers.python")
    result = build_mini_site(tmp_path, BROKEN_ROLES, "")
    assert result.returncode == 1, result.stdout
    assert "Could not find cross-reference target 'Other'" in result.stdout
    assert "Could not find cross-reference target 'NoSuchClass'" in result.stdout
    assert "Aborted with 2 warnings in strict mode" in result.stdout

    fixed = BROKEN_ROLES.replace(":class:`Other` and ", "").replace(", as :class:`NoSuchClass`", "")
    result = build_mini_site(tmp_path, fixed, "")
    assert result.returncode == 0, result.stdout
    assert 'href="#minipkg.Thing.go"' in (tmp_path / "site" / "index.html").read_text()


@pytest.mark.slow
def test_a_broken_reference_on_a_page_fails_the_strict_docs_build(tmp_path: Path) -> None:
    pytest.importorskip("mkdocstrings_handlers.python")
    source = 'class Thing:\n    """A thing."""\n'
    result = build_mini_site(tmp_path, source, "See [the other][minipkg.Other].")
    assert result.returncode == 1, result.stdout
    assert "Could not find cross-reference target 'minipkg.Other'" in result.stdout
    result = build_mini_site(tmp_path, source, "See [the thing][minipkg.Thing].")
    assert result.returncode == 0, result.stdout


def test_doc_comments_and_attr_fields_document_the_attributes() -> None:
    griffe = pytest.importorskip("griffe")
    roles = load_roles()
    package = griffe.load(
        "flask_script_hub",
        search_paths=[str(ROOT)],
        extensions=griffe.load_extensions(roles.SphinxRoles),
    )
    # Sphinx's "#:" comment above the assignment
    shells = package["shell.SHELLS"].docstring
    assert shells is not None and shells.value.startswith("The interactive shells tried")
    # a class docstring's ":attr option_list:" field, moved to the attribute
    command = package["commands.Command"]
    assert ":attr option_list:" not in command.docstring.value
    option_list = command["option_list"].docstring
    assert option_list is not None
    assert "[`Option`][flask_script_hub.commands.Option]" in option_list.value


def test_rest_literal_blocks_become_fenced_code() -> None:
    roles = load_roles()
    text = (
        "Add them::\n\n    from x import y\n\n    m.add(y)\n\nThen.\n\n"
        "::\n\n    [project]\n    a = 1"
    )
    assert roles.literal_blocks(text) == (
        "Add them:\n\n```python\nfrom x import y\n\nm.add(y)\n```\n\nThen.\n\n"
        "```toml\n[project]\na = 1\n```"
    )
