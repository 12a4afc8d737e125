"""The import rules of CONTRIBUTING.md, checked on the source of the core and every plugin.

Read with :mod:`ast`, nothing imported:

* no module uses another module's private (``_x``) name, in an import or as an attribute of an
  imported module;
* imports are at the top of modules; a function-local import is of a heavy third-party library,
  of a standard module whose import cost was measured (``python -X importtime``), or of one of
  our modules loaded only when its feature runs;
* the core's runtime import graph (top-level imports, ``if TYPE_CHECKING:`` blocks excluded) has
  no cycle.

What a run of ``manage.py`` really imports is checked by the subprocess tests (``--help`` and
``plugins`` import neither Flask nor a plugin: ``tests/test_plugins.py``; running a namespace's
command reads no other plugin's metadata: below).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Every package of the repository: the core and the first-party plugins.
PACKAGES = {
    "flask_script_hub": ROOT / "flask_script_hub",
    "flask_script_hub_db": ROOT / "plugins/db/flask_script_hub_db",
    "flask_script_hub_migrate": ROOT / "plugins/migrate/flask_script_hub_migrate",
    "flask_script_hub_rq": ROOT / "plugins/rq/flask_script_hub_rq",
    "flask_script": ROOT / "plugins/compat/flask_script",
}

#: Third-party libraries imported where they are used, never at start-up (the standards' list).
HEAVY = {
    "flask",
    "werkzeug",
    "click",
    "pluggy",
    "sqlalchemy",
    "flask_sqlalchemy",
    "alembic",
    "flask_migrate",
    "rq",
    "redis",
    "argcomplete",
    "dotenv",
    "IPython",
    "traitlets",
    "bpython",
    "ptpython",
    "psycopg",
    "pymysql",
    "rich",
    "tqdm",
}

#: Standard modules kept function-local because importing them costs at least 0.5 ms on top of
#: what ``import flask_script_hub`` loads (``python -X importtime``, Python 3.11; figures in
#: CONTRIBUTING.md), or because importing them changes the process (readline).
MEASURED_STDLIB = {
    "code",
    "dataclasses",
    "importlib.machinery",
    "datetime",
    "difflib",
    "getpass",
    "importlib.metadata",
    "importlib.util",
    "inspect",
    "ipaddress",
    "json",
    "pathlib",
    "readline",
    "rlcompleter",
    "shutil",
    "socket",
    "ssl",
    "tempfile",
    "traceback",
    "urllib.parse",
}

#: Our modules loaded only when their feature runs (a command, completion, the app, plugins),
#: beside those that import a heavy library or measured module at their top (found below).
LAZY_FIRST_PARTY = {
    "flask_script_hub.shell",  # the shell command
    "flask_script_hub.server",  # the runserver command
    "flask_script_hub.extras",  # ShowUrls, Clean
    "flask_script_hub.listing",  # the plugins command
    "flask_script_hub.loading",  # creating the app
    "flask_script_hub.env",  # .env files, when the app is created
    "flask_script_hub.flask_cli",  # click commands mounted in a manager
    "flask_script_hub.completion",  # shell completion requests
    "flask_script_hub.standins",  # click's completion under `flask <namespace>`
    "flask_script_hub.isolation",  # around plugin code only (signal, threading)
    "flask_script_hub.plugins",  # plugin namespaces and hooks, not a manage.py's own commands
    "flask_script_hub_rq.api",  # enqueueing, from app code
}


class Module:
    """One source file: its dotted name, syntax tree and imports."""

    def __init__(self, name: str, package: str, path: Path) -> None:
        self.name, self.package, self.path = name, package, path
        self.is_package = path.name == "__init__.py"
        self.tree = ast.parse(path.read_text(), str(path))

    def resolve(self, node: ast.ImportFrom) -> str:
        """The absolute module name of a ``from ... import``."""
        if not node.level:
            return node.module or ""
        base = self.name.split(".")
        if not self.is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def imports(self) -> list[tuple[ast.stmt, list[str], bool]]:
        """``(node, imported module names, is function-local)``; skips TYPE_CHECKING blocks.

        ``from x import y`` names ``x``, and also ``x.y`` when that is one of our modules.
        """
        found: list[tuple[ast.stmt, list[str], bool]] = []

        def visit(node: ast.AST, local: bool) -> None:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                for child in node.orelse:
                    visit(child, local)
                return
            if isinstance(node, ast.Import):
                found.append((node, [alias.name for alias in node.names], local))
                return
            if isinstance(node, ast.ImportFrom):
                base = self.resolve(node)
                names = [base]
                names += [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
                found.append((node, names, local))
                return
            local = local or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            for child in ast.iter_child_nodes(node):
                visit(child, local)

        for statement in self.tree.body:
            visit(statement, False)
        return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load() -> dict[str, Module]:
    modules = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            modules[name] = Module(name, package, path)
    return modules


MODULES: dict[str, Module] = {}
MODULES.update(_load())


def _first_party(name: str) -> str | None:
    """The first-party module ``name`` (or the one it is an attribute of), else ``None``."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _heavy_at_top(name: str, seen: set[str] | None = None) -> bool:
    """Whether importing our module ``name`` imports a heavy or measured module."""
    seen = set() if seen is None else seen
    if name in seen:
        return False
    seen.add(name)
    for _, targets, local in MODULES[name].imports():
        if local:
            continue
        for target in targets:
            if _allowed_foreign(target):
                return True
            own = _first_party(target)
            if own is not None and own != name and _heavy_at_top(own, seen):
                return True
    return False


#: Modules of the pseudo-terminal harness (``testing.run_in_terminal``; pty, termios: POSIX only).
TERMINAL_HARNESS = {"fcntl", "pty", "struct", "termios"}


def _allowed_foreign(target: str) -> bool:
    root = target.split(".")[0]
    return (
        root in HEAVY
        or root in TERMINAL_HARNESS
        or any(target == m or target.startswith(m + ".") for m in MEASURED_STDLIB)
    )


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


# -- (a) private names -------------------------------------------------------------------------
def _private_use(importer: Module, target: str) -> str | None:
    """What is wrong with ``importer`` naming ``target`` (``pkg.module.name``), if anything.

    A private module (``_compat``, ``_engine``) may be used by its own package only; a private
    name of a module (``manager._summary``) by that module only.
    """
    own = _first_party(target)
    if own is None:
        return None
    if MODULES[own].package != importer.package and any(_is_private(p) for p in own.split(".")):
        return f"private module {own}"
    rest = target[len(own) + 1 :].split(".")[0] if target != own else ""
    if rest and _is_private(rest) and own != importer.name:
        return f"private name {own}.{rest}"
    return None


def test_no_module_uses_another_modules_private_names():
    problems = []
    for module in MODULES.values():
        bound: dict[str, str] = {}  # local name -> the first-party module or object it names
        for node, _, _ in module.imports():
            if isinstance(node, ast.ImportFrom):
                base = module.resolve(node)
                pairs = [(a.asname or a.name, f"{base}.{a.name}") for a in node.names]
            else:
                assert isinstance(node, ast.Import)
                pairs = [(a.asname or a.name.split(".")[0], a.name) for a in node.names]
            for local_name, target in pairs:
                problem = _private_use(module, target)
                if problem:
                    problems.append(f"{_where(module, node)}: {problem}")
                if _first_party(target):
                    bound[local_name] = target
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                problem = _private_use(module, f"{bound[node.value.id]}.{node.attr}")
                if problem:
                    problems.append(f"{_where(module, node)}: {problem}")
    assert problems == []


def test_private_name_rule_catches_a_use():
    core = MODULES["flask_script_hub.completion"]
    assert _private_use(core, "flask_script_hub.manager._summary") is not None
    assert _private_use(core, "flask_script_hub._compat.completed_words") is None
    plugin = MODULES["flask_script_hub_migrate.commands"]
    assert _private_use(plugin, "flask_script_hub._compat.parser_actions") is not None
    assert _private_use(plugin, "flask_script_hub_migrate._engine") is None


# -- (b) function-local imports ----------------------------------------------------------------
def test_function_local_imports_are_heavy_measured_or_lazy_modules():
    problems = []
    for module in MODULES.values():
        for node, targets, local in module.imports():
            if not local:
                continue
            target = targets[-1] if len(targets) > 1 else targets[0]
            for name in targets if isinstance(node, ast.Import) else [target]:
                own = _first_party(name)
                if own is not None:
                    if own in LAZY_FIRST_PARTY or _heavy_at_top(own):
                        continue
                    problems.append(f"{_where(module, node)}: local import of {own}")
                elif not _allowed_foreign(name):
                    problems.append(f"{_where(module, node)}: local import of {name}")
    assert problems == []


def test_lazy_first_party_modules_exist():
    assert sorted(LAZY_FIRST_PARTY - set(MODULES)) == []


# -- (c) no import cycle in the core ------------------------------------------------------------
def _core_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, module in MODULES.items():
        if module.package != "flask_script_hub":
            continue
        edges = graph.setdefault(name, set())
        for _, targets, local in module.imports():
            if local:
                continue
            for target in targets:
                own = _first_party(target)
                if own is not None and MODULES[own].package == "flask_script_hub" and own != name:
                    edges.add(own)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_core_runtime_import_graph_has_no_cycle():
    graph = _core_graph()
    # a submodule importing the package itself (``from flask_script_hub import X``) would
    # close a cycle through ``flask_script_hub/__init__.py``, which imports the manager
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# -- start-up: running a namespace's command reads no other plugin's metadata -------------------
METADATA_SPY = textwrap.dedent(
    """
    import sys
    from importlib import metadata

    read = []
    original = metadata.PathDistribution.read_text

    def read_text(self, filename):
        if filename == "METADATA":
            read.append(self._path.name)
        return original(self, filename)

    metadata.PathDistribution.read_text = read_text

    from flask_script_hub import Manager

    manager = Manager("myapp:create_app")
    if __name__ == "__main__":
        try:
            manager.run()
        finally:
            print("METADATA", sorted(set(read)), file=sys.stderr)
    """
)


@pytest.fixture
def two_plugins(greet_and_boom, write):
    write("myapp.py", "from flask import Flask\ndef create_app():\n    return Flask('myapp')\n")
    write("manage.py", METADATA_SPY)


def _metadata_read(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if line.startswith("METADATA"))


def test_namespace_command_reads_no_other_plugins_metadata(two_plugins, manage):
    run = manage("greet", "hello")
    assert run.returncode == 0, run.stderr
    assert "boom" not in _metadata_read(run.stderr)


def test_help_lists_plugins_from_their_metadata(two_plugins, manage):
    run = manage("--help")
    assert run.returncode == 0, run.stderr
    assert "Explodes on import" in run.stdout
    assert "flask_script_hub_boom" in _metadata_read(run.stderr)
