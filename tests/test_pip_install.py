"""End to end: pip install a plugin distribution into a fresh venv and use it from manage.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import clean_env

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "fsh-hello"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A new venv with the core installed from this repository, dependencies from the index."""
    path = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    py = path / "bin" / "python"
    pip(py, "install", str(ROOT))  # with its dependencies, as a user would
    return path


def pip(py: Path, *args: str) -> str:
    proc = subprocess.run(
        [py, "-m", "pip", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def run(venv: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env({"PYTHONPATH": str(project)})
    return subprocess.run(
        [venv / "bin" / "python", "manage.py", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )


def test_pip_install_then_use_then_uninstall(venv, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "manage.py").write_text(
        textwrap.dedent("""
        from flask import Flask
        from flask_script_hub import Manager

        manager = Manager(lambda: Flask("installed"))

        if __name__ == "__main__":
            manager.run()
    """)
    )
    assert "hello" not in run(venv, project).stdout

    pip(venv / "bin" / "python", "install", "--no-deps", str(SAMPLE))
    listing = run(venv, project)
    assert listing.returncode == 0, listing.stderr
    assert "Says hello from an installed plugin (fsh-hello)" in listing.stdout
    greet = run(venv, project, "hello", "greet", "--name", "pip")
    assert (greet.returncode, greet.stdout, greet.stderr) == (0, "hello pip from installed\n", "")
    plugins = run(venv, project, "plugins", "--check")
    assert plugins.returncode == 0
    assert any(
        line.split()[:6]
        == ["hello", "fsh-hello", "1.2.0", "flask_script_hub", "fsh_hello.plugin", "loaded"]
        for line in plugins.stdout.splitlines()
    )

    pip(venv / "bin" / "python", "uninstall", "-y", "fsh-hello")
    gone = run(venv, project, "hello", "greet")
    assert gone.returncode == 2 and "invalid choice: 'hello'" in gone.stderr
    assert os.path.exists(venv / "bin" / "python")
