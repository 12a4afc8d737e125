"""The code samples of the documentation run, and print what the pages show.

Each page of ``docs/`` is one scenario, played top to bottom in a fresh folder (the project
folder of the page). HTML comments, invisible on the site, mark what runs:

``<!-- test: file PATH -->`` before a fenced block
    writes the block's text to ``PATH`` in the project folder (a later block may replace it).
``<!-- test: file PATH`` followed by lines and ``-->``
    writes those lines (a helper file the page does not need to show, such as ``myapp.py``).
``<!-- test: run -->`` before a ``console`` block
    runs each ``$ command`` line with ``sh`` in the project folder, ``python`` being the Python
    running the tests (and ``flask`` Flask's console script for it), and compares what it prints
    (stdout and stderr together) with the lines the page shows under it. ``...`` alone on a line
    matches any number of lines; inside a line it matches any text; runs of spaces between words
    count as one, so that the width of table columns does not matter. A command that fails must
    be followed by ``$ echo $?`` showing its status.
``<!-- test: python -->`` before a ``python`` block
    runs the block as a script in the project folder; it must exit with status 0.
``<!-- test: env NAME=VALUE ... -->``
    sets environment variables for the following commands of the page.
``<!-- test: copy PATH -->``
    copies a folder of the repository (such as ``examples/blog``) into the project folder.

``DOCS_UPDATE=1 pytest tests/test_docs.py`` replaces the shown output of each command that no
longer matches with what it prints now (for help texts changed on purpose); review with
``git diff``.

``pip install ./folder`` in a page installs the distribution of that folder into a private
``site`` folder on ``PYTHONPATH`` rather than the test environment: the shim reads the folder's
``pyproject.toml`` and writes the package and its ``.dist-info`` as pip leaves them (with
:func:`flask_script_hub.testing.write_distribution`, as every test distribution), so that
discovery through ``importlib.metadata`` is real but nothing is downloaded and the shared
environment is left untouched.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from argparse_layout import neutral_lines

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))

MARKER = re.compile(r"<!--\s*test:\s*(?P<kind>\w+)(?P<rest>.*?)-->", re.S)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n", re.M)

PIP_SHIM = r'''#!{python}
"""pip install ./folder for the docs tests: install into $DOCS_SITE as pip would, offline."""
import os, sys, tomllib
from pathlib import Path

from flask_script_hub.testing import remove_distribution, write_distribution

args = sys.argv[1:]
if not args or args[0] != "install":
    sys.exit("the docs tests only support `pip install ./folder`")
site = Path(os.environ["DOCS_SITE"])
for target in [a for a in args[1:] if not a.startswith("-")]:
    src = Path(target)
    project = tomllib.loads((src / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    files = {{}}
    for package in src.iterdir():
        if (package / "__init__.py").exists():
            for path in sorted(package.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    files[path.relative_to(src).as_posix()] = path.read_text()
    for old in site.glob(f"{{name.replace('-', '_')}}-*.dist-info"):
        remove_distribution(old)  # a reinstall or an upgrade, as pip does
    write_distribution(
        site,
        name,
        version,
        files=files,
        entry_points=project.get("entry-points", {{}}),
        summary=project.get("description"),
        requires=project.get("dependencies", []),
    )
    print(f"Successfully installed {{name}}-{{version}}")
'''


@dataclass
class Step:
    kind: str  # "file", "run", "python", "env"
    line: int
    arg: str = ""
    text: str = ""
    env: dict[str, str] = field(default_factory=dict)
    span: tuple[int, int, str] = (0, 0, "")  # where a block's body is in the page, its indent


def _fence_after(text: str, pos: int) -> tuple[str, str, tuple[int, int, str]] | None:
    """The fenced block right after ``pos`` (blank lines allowed): (info, body, body span)."""
    match = FENCE.search(text, pos)
    if match is None or text[pos : match.start()].strip():
        return None
    indent, fence = match["indent"], match["fence"]
    closing = re.compile(rf"^{re.escape(indent)}{re.escape(fence)}[ \t]*$", re.M)
    end = closing.search(text, match.end())
    if end is None:
        raise AssertionError(f"unclosed fence at line {text.count(chr(10), 0, match.start()) + 1}")
    body = textwrap.dedent(text[match.end() : end.start()])
    span = (match.end(), end.start(), indent)
    return match["info"].strip(), body, span


def parse_page(path: Path) -> list[Step]:
    """The steps a page's markers ask for, in page order."""
    text = path.read_text()
    steps: list[Step] = []
    for marker in MARKER.finditer(text):
        kind, rest = marker["kind"], marker["rest"]
        line = text.count("\n", 0, marker.start()) + 1
        if kind == "env":
            pairs = dict(p.split("=", 1) for p in shlex.split(rest))
            steps.append(Step("env", line, env=pairs))
            continue
        if kind == "copy":
            steps.append(Step("copy", line, rest.strip()))
            continue
        first, newline, inline = rest.partition("\n")
        if kind == "file" and newline:  # the file's text is in the comment (may be empty)
            content = textwrap.dedent(inline).strip()
            steps.append(Step("file", line, first.strip(), content + "\n" if content else ""))
            continue
        block = _fence_after(text, marker.end())
        if block is None:
            raise AssertionError(f"{path.name}:{line}: <!-- test: {kind} --> is not before a block")
        info, body, span = block
        if kind == "file":
            steps.append(Step("file", line, first.strip(), body))
        elif kind == "run":
            assert info.startswith("console"), f"{path.name}:{line}: run needs a console block"
            steps.append(Step("run", line, text=body, span=span))
        elif kind == "python":
            assert info.startswith("python"), f"{path.name}:{line}: python needs a python block"
            steps.append(Step("python", line, text=body))
        else:
            raise AssertionError(f"{path.name}:{line}: unknown marker {kind!r}")
    return steps


def parse_console(body: str) -> list[tuple[str, list[str]]]:
    """``[(command, expected output lines)]`` of a console block."""
    commands: list[tuple[str, list[str]]] = []
    lines = body.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            raise AssertionError(f"console block: output before any command: {line!r}")
        command = line[2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command + "\n" + lines[i]
        output = []
        i += 1
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        commands.append((command, output))
    return commands


def _squeeze(line: str) -> str:
    """Runs of two or more spaces count as one: table columns may be wider on another machine."""
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", line)


def output_matches(expected: list[str], actual: str) -> bool:
    """Whether ``actual`` is what the page shows, ``...`` standing for anything.

    Both are compared in argparse's layout-neutral form (:func:`argparse_layout.neutral_lines`), so
    that a page's help texts pass on every supported Python.
    """
    parts = []
    for line in neutral_lines(expected):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(p) for p in _squeeze(line.rstrip()).split("...")]
            parts.append(r"[^\n]*?".join(pieces) + r"\n")
    pattern = "".join(parts)
    lines = neutral_lines(actual.rstrip("\n").split("\n"))
    text = "\n".join(_squeeze(line.rstrip()) for line in lines) + "\n"
    if not actual.strip():
        text = ""
    return re.fullmatch(pattern, text) is not None


class Scenario:
    """The project folder of one page and the environment its commands run in."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path / "project"
        self.dir.mkdir()
        self.site = tmp_path / "site"
        self.site.mkdir()
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        python = bin_dir / "python"  # a script, not a symlink: a venv is found from its own path
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
        pip = bin_dir / "pip"
        pip.write_text(PIP_SHIM.format(python=sys.executable))
        pip.chmod(0o755)
        # Flask's console script, as pip writes it: its program name is "flask" (click's
        # completion variable _FLASK_COMPLETE), which "python -m flask" does not give
        flask = bin_dir / "flask"
        flask.write_text(
            f"#!{sys.executable}\nimport sys\nfrom flask.cli import main\nsys.exit(main())\n"
        )
        flask.chmod(0o755)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FLASK_", "_ARGCOMPLETE", "COMP_", "PYTEST_", "DATABASE_URL"))
        }
        self.env.update(
            PATH=os.pathsep.join([str(bin_dir), self.env.get("PATH", "")]),
            PYTHONPATH=str(self.site),
            PYTHONDONTWRITEBYTECODE="1",
            DOCS_SITE=str(self.site),
            COLUMNS="80",
            NO_COLOR="1",
        )

    def write(self, name: str, text: str) -> None:
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def run_console(self, body: str, where: str, update: bool = False) -> str | None:
        commands = parse_console(body)
        marker = "@@docs-step@@"
        script = ["exec 2>&1", "__status=0"]
        for n, (command, _) in enumerate(commands):
            script.append(f"printf '\\n{marker} {n} %s\\n' \"$__status\"")
            script.append(f"(exit $__status); {command}")
            script.append("__status=$?")
        script.append(f"printf '\\n{marker} end %s\\n' \"$__status\"")
        proc = subprocess.run(
            ["sh", "-c", "\n".join(script)],
            cwd=self.dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
        )
        chunks = re.split(rf"\n?{re.escape(marker)} (\S+) (\d+)\n", "\n" + proc.stdout)
        # chunks: [before, id0, status_before0, out0, id1, status1, out1, ..., "end", status, ""]
        outputs = chunks[3::3][: len(commands)]
        statuses = [int(s) for s in chunks[5::3]]
        assert len(outputs) == len(commands), f"{where}: could not split output:\n{proc.stdout}"
        for n, (command, _) in enumerate(commands):
            next_command = commands[n + 1][0] if n + 1 < len(commands) else ""
            assert statuses[n] == 0 or next_command.strip() == "echo $?", (
                f"{where}: `{command}` exited with {statuses[n]}; output:\n{outputs[n]}"
            )
        if update:  # keep what still matches (with its "..."), replace what does not
            fresh = []
            for (command, expected), actual in zip(commands, outputs, strict=True):
                lines = [line.rstrip() for line in actual.rstrip("\n").split("\n")]
                if output_matches(expected, actual) or not actual.strip():
                    lines = expected
                fresh.append("\n".join(["$ " + command, *lines]))
            new_body = "\n".join(fresh) + "\n"
            return None if new_body == body else new_body
        for n, (command, expected) in enumerate(commands):
            actual = outputs[n]
            assert output_matches(expected, actual), (
                f"{where}: `{command}` printed\n{actual}\n--- but the page shows ---\n"
                + "\n".join(expected)
            )
        return None

    def run_python(self, body: str, where: str) -> None:
        script = self.dir / "_docs_sample.py"
        script.write_text(body)
        proc = subprocess.run(
            [sys.executable, script.name],
            cwd=self.dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        script.unlink()
        assert proc.returncode == 0, f"{where}: the sample failed:\n{proc.stdout}\n{proc.stderr}"


TESTED_PAGES = [p for p in PAGES if MARKER.search(p.read_text())]


#: a page whose ``test: env`` sets this needs Redis (docs/rq.md): the URL's database is its own
REDIS_VARIABLE = "REDIS_URL"


@contextmanager
def redis_database(url: str, where: str) -> Iterator[None]:
    """Hold the Redis database of a page's ``url`` for the page's samples, empty before and after.

    The page is skipped, with the reason, when ``TEST_REDIS_URL`` is unset or names another
    server than ``url`` (the page's samples show the URL). Two test sessions sharing the server
    (CI beside an engineer's run, two nox sessions) take turns with a ``SET NX`` key in
    ``TEST_REDIS_URL``'s database, waiting up to 5 minutes, so that neither empties the other's
    queues.
    """
    base = os.environ.get("TEST_REDIS_URL")
    if not base:
        pytest.skip(f"TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0): {where} needs it")
    server = urlsplit(url).netloc.rpartition("@")[2]
    if urlsplit(base).netloc.rpartition("@")[2] != server:
        pytest.skip(f"{where} shows the Redis server {server}; TEST_REDIS_URL names another")
    import redis

    locks, client = redis.Redis.from_url(base), redis.Redis.from_url(url)
    key, token = f"flask-script-hub-docs:{url}", uuid.uuid4().hex
    deadline = time.monotonic() + 300
    while not locks.set(key, token, nx=True, ex=600):
        assert time.monotonic() < deadline, f"{where}: {url} stayed held by another test session"
        time.sleep(0.5)
    try:
        client.flushdb()
        yield
    finally:
        client.flushdb()
        if locks.get(key) == token.encode():
            locks.delete(key)
        client.close()
        locks.close()


@pytest.mark.parametrize("page", TESTED_PAGES, ids=[p.stem for p in TESTED_PAGES])
def test_page_samples_run(page: Path, tmp_path: Path) -> None:
    with ExitStack() as held:
        _run_page(page, tmp_path, held)


def _run_page(page: Path, tmp_path: Path, held: ExitStack) -> None:
    scenario = Scenario(tmp_path)
    update = os.environ.get("DOCS_UPDATE") == "1"
    replacements: list[tuple[tuple[int, int, str], str]] = []
    for step in parse_page(page):
        where = f"docs/{page.name}:{step.line}"
        if step.kind == "file":
            scenario.write(step.arg, step.text)
        elif step.kind == "env":
            if REDIS_VARIABLE in step.env:
                held.enter_context(redis_database(step.env[REDIS_VARIABLE], where))
            scenario.env.update(step.env)
        elif step.kind == "copy":
            ignore = shutil.ignore_patterns("instance", "__pycache__", "*.sqlite")
            shutil.copytree(ROOT / step.arg, scenario.dir, ignore=ignore, dirs_exist_ok=True)
        elif step.kind == "run":
            new_body = scenario.run_console(step.text, where, update)
            if new_body is not None:
                replacements.append((step.span, new_body))
        elif step.kind == "python":
            scenario.run_python(step.text, where)
    if replacements:  # DOCS_UPDATE=1: write what the commands print now; review with git diff
        text = page.read_text()
        for (start, end, indent), new_body in sorted(replacements, reverse=True):
            text = text[:start] + textwrap.indent(new_body, indent) + text[end:]
        page.write_text(text)


def test_pages_with_manage_py_samples_are_tested() -> None:
    """A page that shows a manage.py or console session runs at least one of them."""
    untested = []
    for page in PAGES:
        text = page.read_text()
        shows_code = "```python" in text or "$ python manage.py" in text
        if shows_code and page not in TESTED_PAGES:
            untested.append(page.name)
    assert untested == [], f"pages with samples but no <!-- test: --> marker: {untested}"


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [p.name for p in PAGES if f": {p.name}" not in nav]
    assert missing == []


# -- the harness itself --------------------------------------------------------------------------
def test_output_matching_rules() -> None:
    assert output_matches(["hello"], "hello\n")
    assert not output_matches(["hello"], "hello\nworld\n")
    assert output_matches(["a", "...", "z"], "a\nb\nc\nz\n")
    assert output_matches(["a", "...", "z"], "a\nz\n")
    assert output_matches(["version ..."], "version 1.2\n")
    assert not output_matches(["version ..."], "release 1.2\n")
    assert output_matches([], "")
    assert not output_matches([], "something\n")
    assert output_matches(["db   hub-db  loaded"], "db  hub-db   loaded\n")
    assert not output_matches(["db loaded"], "dbloaded\n")


def test_help_texts_match_in_the_layout_of_every_python() -> None:
    python_311 = [
        "options:",
        "  -c COUNT, --count COUNT",
        "                        how many times to say it, at most",
        "                        ten",
        "  -?, --help            show this help message and exit",
    ]
    python_313 = (
        "options:\n"
        "  -c, --count COUNT     how many times to say it, at\n"
        "                        most ten\n"
        "  -?, --help            show this help message and exit\n"
    )
    assert output_matches(python_311, python_313)
    assert not output_matches(python_311, python_313.replace("ten", "eleven"))
    assert not output_matches(["  -c COUNT, --count NUMBER"], "  -c, --count COUNT\n")
    assert output_matches(["  --name NAME, -n NAME  who"], "  --name, -n NAME  who\n")
    assert output_matches(["  -m {a,b}, --mode {a,b}"], "  -m, --mode {a,b}\n")


def test_console_parsing() -> None:
    body = "$ python manage.py hello\nhello\n$ python manage.py x \\\n  --y\n$ echo $?\n2\n"
    assert parse_console(body) == [
        ("python manage.py hello", ["hello"]),
        ("python manage.py x \\\n  --y", []),
        ("echo $?", ["2"]),
    ]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_markers_parse(page: Path) -> None:
    parse_page(page)


def test_every_hook_is_documented_with_its_signature() -> None:
    """Each hookspec of the core and of installed first-party plugins has a section in hooks.md."""
    import inspect

    from flask_script_hub import hookspecs

    modules = [hookspecs]
    try:
        from flask_script_hub_db import hookspecs as db_hookspecs
    except ImportError:
        pass
    else:
        modules.append(db_hookspecs)
    try:
        from flask_script_hub_rq import hookspecs as rq_hookspecs
    except ImportError:
        pass
    else:
        modules.append(rq_hookspecs)
    page = (DOCS / "hooks.md").read_text()
    squeezed = re.sub(r"\s+", "", page)
    for module in modules:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if not hasattr(func, "flask_script_hub_spec"):
                continue
            assert f"`{name}`" in page and f"def {name}(" in page, name
            for param in inspect.signature(func).parameters:
                assert f"{param}:" in squeezed.split(f"def{name}(", 1)[1].split(")", 1)[0], (
                    name,
                    param,
                )


def test_no_internal_words_in_user_facing_text() -> None:
    """Pages, READMEs, the example, the core's and the plugins' docstrings and messages name
    "Flask-Script 2.0.6" or "the Flask-Script docs", never the project's internal word for them."""
    files = [
        *PAGES,
        *ROOT.glob("*.md"),
        ROOT / "mkdocs.yml",
        *ROOT.glob("plugins/*/README.md"),
        *ROOT.glob("examples/**/*.py"),
        *(p for p in ROOT.glob("plugins/*/*/**/*.py") if "tests" not in p.parts),
        *ROOT.glob("flask_script_hub/**/*.py"),
    ]
    word = re.compile(r"\bseeds?\b", re.I)
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if word.search(line)
    ]
    assert found == []
