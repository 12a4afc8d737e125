"""Fixtures shared by the core tests: real manage.py subprocesses and real plugin distributions."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from flask_script_hub.testing import write_distribution


@dataclass
class Run:
    """What a user sees after running a command."""

    returncode: int
    stdout: str
    stderr: str


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "_ARGCOMPLETE"))}
    env.pop("COMP_LINE", None)
    env.pop("COMP_POINT", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder (the working directory of manage.py runs)."""
    (tmp_path / "project").mkdir()
    return tmp_path / "project"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder for installed distributions, put on PYTHONPATH of manage.py runs."""
    (tmp_path / "site").mkdir()
    return tmp_path / "site"


@pytest.fixture
def write(project: Path) -> Callable[..., Path]:
    """Write a file of the project (dedented)."""

    def write(name: str, text: str) -> Path:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def manage(project: Path, site: Path) -> Callable[..., Run]:
    """Run ``python manage.py ARGS`` in the project, as a user would."""

    def manage(
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        script: str = "manage.py",
        timeout: float = 60,
    ) -> Run:
        extra = {"PYTHONPATH": os.pathsep.join([str(site), str(project)])}
        extra.update(env or {})
        proc = subprocess.run(
            [sys.executable, script, *args],
            cwd=project,
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=clean_env(extra),
            timeout=timeout,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return manage


@pytest.fixture
def make_dist(site: Path) -> Callable[..., Path]:
    """Install a plugin distribution the way pip leaves it: a package and a real ``*.dist-info``.

    ``make_dist("flask-script-hub-foo", {"foo": "fsh_foo.plugin"}, {"fsh_foo/plugin.py": "..."})``;
    ``flask_commands={"hello": "ext.cli:hello"}`` adds entry points of Flask's ``flask.commands``.
    Sources are dedented. Written by :func:`flask_script_hub.testing.write_distribution`;
    returns the ``*.dist-info`` folder.
    """

    def make_dist(
        name: str,
        entry_points: Mapping[str, str],
        files: Mapping[str, str],
        version: str = "1.0",
        summary: str = "A test plugin",
        flask_commands: Mapping[str, str] | None = None,
    ) -> Path:
        groups = {"flask_script_hub": dict(entry_points)}
        if flask_commands:  # Flask's own group: click commands of Flask extensions
            groups["flask.commands"] = dict(flask_commands)
        return write_distribution(
            site,
            name,
            version,
            files={rel: textwrap.dedent(text) for rel, text in files.items()},
            entry_points=groups,
            summary=summary,
        )

    return make_dist


@pytest.fixture
def greet_and_boom(make_dist: Callable[..., Path]) -> None:
    """Two installed plugins: ``greet`` (flask-script-hub-greet 1.0, works) and ``boom``
    (flask-script-hub-boom 2.1, fails on import); sources in ``plugin_sources.py``."""
    from plugin_sources import BOOM, GREET

    make_dist(
        "flask-script-hub-greet",
        {"greet": "fsh_greet.plugin"},
        {"fsh_greet/plugin.py": GREET},
        summary="Greets people",
    )
    make_dist(
        "flask-script-hub-boom",
        {"boom": "fsh_boom.plugin"},
        {"fsh_boom/plugin.py": BOOM},
        version="2.1",
        summary="Explodes on import",
    )
