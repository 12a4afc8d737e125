"""The version matrix: every distribution of this repository on the oldest and newest Pythons
supported, with the newest dependencies and with the lowest ones the pyproject files allow.

``nox`` runs the four sessions (``nox -l`` lists them); ``nox -s "tests-3.13(deps='newest')"`` one
of them; arguments after ``--`` go to pytest (``nox -s "tests-3.11(deps='lowest')" -- -m "not
slow"`` runs the fast tests only: ``make test-lowest``, run by ``.ci/run``). The sessions read the
``TEST_*_URL`` variables as the test suite does (see CONTRIBUTING.md), and need ``uv`` or
``virtualenv`` (both in the dev venv: run nox as ``.venv/bin/nox``).

``lowest`` pins each of the direct dependencies listed in :data:`LOWEST_PINNED` to the lower
bound its pyproject.toml declares (a "lowest-direct" resolution); everything else, including the
test tools, resolves to its newest release. A floor that cannot be installed or does not pass the
tests is a floor to raise in pyproject.toml.
"""

from __future__ import annotations

import glob
import os
import tempfile
import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement

ROOT = Path(__file__).parent
PYTHONS = ["3.11", "3.13"]
#: the dependencies whose lowest supported version is tested (normalized names)
LOWEST_PINNED = [
    "flask",
    "werkzeug",
    "flask-sqlalchemy",
    "sqlalchemy",
    "flask-migrate",
    "alembic",
    "pluggy",
    "argcomplete",
]
#: the documentation tools whose lowest supported version is tested (the ``docs`` extra)
DOCS_PINNED = ["mkdocs-material", "mkdocstrings-python", "griffe"]


def install_args() -> list[str]:
    """Every distribution, editable, with the extras the tests need (as ``make install``)."""
    args = ["-e", ".[test,dotenv,docs]"]
    for path in sorted(ROOT.glob("plugins/*/pyproject.toml")):
        declared = tomllib.loads(path.read_text())["project"].get("optional-dependencies", {})
        extras = ",".join(e for e in ("postgresql", "mysql", "test") if e in declared)
        args += ["-e", f"./{path.parent.relative_to(ROOT)}[{extras}]"]
    return args


nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]


def _find_pyenv_interpreters() -> None:
    """Make pyenv's interpreters findable as ``python3.X`` even when pyenv has not activated them.

    A folder of links is put first on PATH; nothing is changed on a machine without pyenv.
    """
    links = Path(tempfile.mkdtemp(prefix="nox-pythons-"))
    for version in PYTHONS:
        found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python")))
        if found:
            (links / f"python{version}").symlink_to(found[-1])
    os.environ["PATH"] = os.pathsep.join([str(links), os.environ.get("PATH", "")])


_find_pyenv_interpreters()


def lowest_pins(python: str, names: list[str] = LOWEST_PINNED) -> list[str]:
    """``name==floor`` for each of ``names``, from the pyproject files' ``>=`` bounds.

    :param python: the session's Python version (``"3.13"``), for environment markers.
    :param names: normalized distribution names (:data:`LOWEST_PINNED` or :data:`DOCS_PINNED`).
    :returns: pip constraint lines; the highest floor wins when two distributions declare one.
    """
    from packaging.version import Version

    floors: dict[str, Version] = {}
    for path in [ROOT / "pyproject.toml", *sorted(ROOT.glob("plugins/*/pyproject.toml"))]:
        project = tomllib.loads(path.read_text())["project"]
        requirements = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            requirements += extra
        for line in requirements:
            req = Requirement(line)
            name = req.name.lower().replace("_", "-")
            if name not in names:
                continue
            if req.marker and not req.marker.evaluate({"python_version": python, "extra": ""}):
                continue
            for spec in req.specifier:
                if spec.operator == ">=":
                    floor = Version(spec.version)
                    floors[name] = max(floors.get(name, floor), floor)
    missing = set(names) - set(floors)
    assert not missing, f"no lower bound declared for {sorted(missing)}"
    return [f"{name}=={floors[name]}" for name in names]


def constraints_file(pins: list[str]) -> str:
    """A pip constraints file holding ``pins``, outside the repository.

    Not ``session.create_tmp()``: it points TMPDIR into ``.nox/``, inside this repository, where
    the tests' projects would find its pyproject.toml and Flask its venv (instance paths).
    """
    path = Path(tempfile.mkdtemp(prefix="nox-lowest-")) / "lowest.txt"
    path.write_text("\n".join(pins) + "\n")
    return str(path)


def show_versions(names: list[str]) -> str:
    """Python code that prints the session's Python version and the version of each of ``names``
    (so that a session's log says what it tested)."""
    return (
        "import importlib.metadata as m, sys\n"
        f"print('Python', sys.version.split()[0], *(f'{{n}}=={{m.version(n)}}' for n in {names!r}))"
    )


@nox.session(python=PYTHONS)
@nox.parametrize("deps", ["newest", "lowest"])
def tests(session: nox.Session, deps: str) -> None:
    """The test suite against the newest or the lowest supported dependencies."""
    args = install_args()
    if deps == "lowest":
        args += ["-c", constraints_file(lowest_pins(str(session.python)))]
    session.install(*args)
    session.run("python", "-c", show_versions(LOWEST_PINNED))
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=PYTHONS[0])
@nox.parametrize("deps", ["newest", "lowest"])
def docs(session: nox.Session, deps: str) -> None:
    """The documentation site (``mkdocs build --strict``) with the newest or the lowest supported
    documentation tools: the API pages' griffe extension (``docs/griffe_sphinx_roles.py``)
    against each end of the ``docs`` extra."""
    args = ["-e", ".[docs]"]
    if deps == "lowest":
        args += ["-c", constraints_file(lowest_pins(str(session.python), DOCS_PINNED))]
    session.install(*args)
    session.run("python", "-c", show_versions(DOCS_PINNED))
    site = tempfile.mkdtemp(prefix="nox-site-")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", site)
