"""The on-disk entry-point cache: a run whose installed distributions did not change reads the
cache (and never imports ``importlib.metadata``); any install, uninstall, upgrade or edit of a
distribution between two runs is seen by the second run.

Every run is a real ``manage.py`` subprocess with a real ``*.dist-info`` folder on its path.
A cache is only written when every file it depends on is older than
:data:`~flask_script_hub.entrypoints.RACY_SECONDS`, so the tests wait that long (``settle``)
before a run that must fill the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from conftest import clean_env
from flask_script_hub.entrypoints import MAX_AGE_DAYS, RACY_SECONDS
from flask_script_hub.testing import build_wheel, remove_distribution

MANAGE = """
from flask_script_hub import Manager

manager = Manager("myapp:create_app")

if __name__ == "__main__":
    manager.run()
"""

APP = """
from flask import Flask

def create_app():
    return Flask("cached")
"""

PLUGIN = """
from flask_script_hub import Manager, hookimpl

sub = Manager(help="{text}")

@sub.command
def hello():
    print("{text}")

@hookimpl
def register_commands(manager):
    manager.add_command("{name}", sub)
"""


def settle() -> None:
    """Wait until the files just written are old enough for the cache to be written."""
    time.sleep(RACY_SECONDS + 0.2)


@pytest.fixture
def listing(write, manage):
    """``manage.py plugins --json`` as {namespace: (distribution, version, entry point)} for the
    test's plugins (``fsh-*``, not the first-party ones of the test environment), and whether the
    run imported importlib.metadata (``False``: it read the cache)."""
    write("manage.py", MANAGE)
    write("myapp.py", APP)

    def listing(**env: str) -> tuple[dict[str, tuple[str, str, str]], bool]:
        run = manage("plugins", "--json", env={"PYTHONPROFILEIMPORTTIME": "1", **env})
        assert run.returncode == 0, run.stderr
        rows = json.loads(run.stdout)
        found = {
            r["namespace"]: (r["distribution"], r["version"], r["entry_point"])
            for r in rows
            if r["distribution"].startswith("fsh-")
        }
        return found, "importlib.metadata\n" in run.stderr

    return listing


def plugin(make_dist, name: str, version: str = "1.0", text: str = "hello"):
    module = f"fsh_{name}_{version.replace('.', '_')}"
    return make_dist(
        f"fsh-{name}",
        {name: f"{module}.plugin"},
        {f"{module}/plugin.py": PLUGIN.format(name=name, text=text)},
        version=version,
    )


def test_second_run_reads_the_cache_without_importlib_metadata(make_dist, listing, manage):
    plugin(make_dist, "alpha")
    settle()
    first, scanned = listing()
    assert first == {"alpha": ("fsh-alpha", "1.0", "fsh_alpha_1_0.plugin")}
    assert scanned  # nothing cached yet
    second, scanned = listing()
    assert second == first
    assert not scanned
    run = manage("alpha", "hello")  # loading the plugin still works from a cached record
    assert (run.returncode, run.stdout) == (0, "hello\n"), run.stderr


def test_fresh_files_are_not_cached(make_dist, listing):
    plugin(make_dist, "alpha")
    assert listing()[1]
    assert listing()[1]  # written less than RACY_SECONDS ago: read again, never cached


def test_install_between_runs(make_dist, listing):
    plugin(make_dist, "alpha")
    settle()
    listing()
    assert not listing()[1]
    plugin(make_dist, "beta")
    found, scanned = listing()
    assert scanned
    assert set(found) == {"alpha", "beta"}


def test_uninstall_between_runs(make_dist, listing):
    plugin(make_dist, "alpha")
    beta = plugin(make_dist, "beta")
    settle()
    listing()
    assert not listing()[1]
    remove_distribution(beta)
    found, _ = listing()
    assert set(found) == {"alpha"}


def test_upgrade_between_runs(make_dist, listing, manage):
    old = plugin(make_dist, "alpha", "1.0", text="old")
    settle()
    listing()
    assert not listing()[1]
    remove_distribution(old)
    plugin(make_dist, "alpha", "2.0", text="new")
    found, _ = listing()
    assert found == {"alpha": ("fsh-alpha", "2.0", "fsh_alpha_2_0.plugin")}
    assert manage("alpha", "hello").stdout == "new\n"


def test_entry_point_edited_in_place_between_runs(make_dist, listing):
    info = plugin(make_dist, "alpha")
    settle()
    listing()
    assert not listing()[1]
    entry_points = info / "entry_points.txt"
    text = entry_points.read_text()
    entry_points.write_text(text.replace("alpha =", "gamma =", 1))  # same size, same inode
    found, _ = listing()
    assert set(found) == {"gamma"}


def test_turned_off_by_the_environment(make_dist, listing, entry_point_cache, site):
    plugin(make_dist, "alpha")
    settle()
    off = {"FLASK_SCRIPT_HUB_ENTRY_POINT_CACHE": "0"}
    assert listing(**off)[1]
    assert listing(**off)[1]
    written = [p.read_bytes() for p in entry_point_cache.glob("*.marshal")]
    assert not any(str(site).encode() in data for data in written)


def test_unwritable_cache_folder_is_no_cache(make_dist, listing, tmp_path):
    plugin(make_dist, "alpha")
    settle()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    for _ in range(2):
        found, scanned = listing(XDG_CACHE_HOME=str(blocker))
        assert set(found) == {"alpha"}
        assert scanned


def test_damaged_cache_file_is_read_again(make_dist, listing, entry_point_cache, site):
    plugin(make_dist, "alpha")
    settle()
    listing()
    (cache,) = [
        p for p in entry_point_cache.glob("*.marshal") if str(site).encode() in p.read_bytes()
    ]
    cache.write_bytes(cache.read_bytes()[:200])  # cut short
    found, scanned = listing()
    assert (set(found), scanned) == ({"alpha"}, True)
    assert not listing()[1]  # rewritten


@pytest.mark.slow
def test_real_pip_install_upgrade_uninstall(tmp_path, write, project):
    """pip itself installs, upgrades and uninstalls a plugin in a venv between runs."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)  # its own pip: a uv-made test venv (nox) has none
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this test environment's packages (flask-script-hub, Flask), .pth files included
    ours = next(p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p))
    Path(purelib, "ours.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for version, text in (("1.0", "one"), ("2.0", "two")):
        build_wheel(
            wheels,
            "fsh-pipped",
            version,
            files={"fsh_pipped/plugin.py": PLUGIN.format(name="pipped", text=text)},
            entry_points={"flask_script_hub": {"pipped": "fsh_pipped.plugin"}},
            summary=f"version {text}",
        )
    write("manage.py", MANAGE)
    write("myapp.py", APP)

    def pip(*args: str) -> None:
        subprocess.run(
            [python, "-m", "pip", "-q", *args],
            check=True,
            env=clean_env({"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}),
        )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, "-X", "importtime", "manage.py", *args],
            cwd=project,
            capture_output=True,
            text=True,
            env=clean_env({"PYTHONPATH": str(project)}),
        )

    def cached_run_then(change: tuple[str, ...]) -> None:
        settle()
        run("plugins")
        assert "importlib.metadata\n" not in run("plugins").stderr  # from the cache
        pip(*change)

    pip("install", str(wheels / "fsh_pipped-1.0-py3-none-any.whl"))
    assert run("pipped", "hello").stdout == "one\n"
    cached_run_then(("install", "--upgrade", "--find-links", str(wheels), "fsh-pipped==2.0"))
    rows = [line.split()[:3] for line in run("plugins").stdout.splitlines()]
    assert ["pipped", "fsh-pipped", "2.0"] in rows
    assert run("pipped", "hello").stdout == "two\n"
    cached_run_then(("uninstall", "-y", "fsh-pipped"))
    after = run("plugins")
    assert "pipped" not in after.stdout
    assert run("pipped", "hello").returncode == 2


def test_cache_files_of_projects_long_gone_are_removed(make_dist, listing, entry_point_cache):
    plugin(make_dist, "alpha")
    settle()
    entry_point_cache.mkdir(parents=True, exist_ok=True)
    old = entry_point_cache / "entry-points-00000000.marshal"
    recent = entry_point_cache / "entry-points-00000001.marshal"
    for path in (old, recent):
        path.write_bytes(b"")
    days_ago = time.time() - (MAX_AGE_DAYS + 1) * 86400
    os.utime(old, (days_ago, days_ago))
    listing()  # a cache file written
    assert not old.exists()
    assert recent.exists()
