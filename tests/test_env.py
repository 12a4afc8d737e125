"""Loading ``.flaskenv`` and ``.env`` before the app is created (python-dotenv, as Flask's CLI)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flask_script_hub.env import dotenv_enabled, load_dotenv_files

APP = Path(__file__).parent / "apps" / "shellserver"
NO_PLUGINS = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


@pytest.fixture
def app_dir(project: Path) -> Path:
    shutil.copytree(APP, project, dirs_exist_ok=True)
    return project


def show(manage, *names: str, env: dict[str, str] | None = None, script: str = "manage.py"):
    """Print the variables from inside the app's context, after the factory ran."""
    code = f"import os; print(' '.join(os.environ.get(n, '-') for n in {names!r}))"
    return manage("shell", "-c", code, env={**NO_PLUGINS, **(env or {})}, script=script)


# -- through a real manage.py ------------------------------------------------------------------
def test_env_beats_flaskenv_and_the_environment_beats_both(app_dir, manage):
    (app_dir / ".flaskenv").write_text("A=flaskenv\nB=flaskenv\nC=flaskenv\n")
    (app_dir / ".env").write_text("B=env\nC=env\nHELLO_GREETING=from .env\n")
    result = show(manage, "A", "B", "C", env={"C": "environment"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "flaskenv env environment\n"
    assert result.stderr == ""


def test_loaded_before_the_app_factory_runs(app_dir, manage):
    (app_dir / ".env").write_text("HELLO_GREETING='hi from .env'\n")
    result = manage("shell", "-c", "print(app.config['GREETING'])", env=NO_PLUGINS)
    assert (result.returncode, result.stdout) == (0, "hi from .env\n")


def test_found_in_a_parent_directory(app_dir, manage, tmp_path):
    (tmp_path / ".env").write_text("FROM_PARENT=yes\n")
    result = show(manage, "FROM_PARENT")
    assert result.stdout == "yes\n"


def test_flask_skip_dotenv_turns_it_off(app_dir, manage):
    (app_dir / ".env").write_text("A=env\n")
    assert show(manage, "A", env={"FLASK_SKIP_DOTENV": "1"}).stdout == "-\n"
    assert show(manage, "A", env={"FLASK_SKIP_DOTENV": "0"}).stdout == "env\n"


def test_manager_argument_turns_it_off(app_dir, manage, write):
    (app_dir / ".env").write_text("A=env\n")
    write(
        "manage_nodotenv.py",
        """
        from flask_script_hub import Manager
        from hello import create_app

        Manager(create_app, load_dotenv=False).run()
        """,
    )
    assert show(manage, "A", script="manage_nodotenv.py").stdout == "-\n"


def test_malformed_line_is_a_warning_naming_file_and_line(app_dir, manage):
    (app_dir / ".env").write_text("A=1\nthis line is not valid\nB=2\n")
    result = show(manage, "A", "B")
    assert result.returncode == 0
    assert result.stdout == "1 2\n"
    env_file = app_dir / ".env"
    assert result.stderr == (
        f" * Warning: {env_file}, line 2: cannot be parsed; the line was skipped\n"
    )


@pytest.mark.parametrize("name", [".env", ".flaskenv"])
@pytest.mark.parametrize("bad", ["B='unclosed single quote", 'B="unclosed double quote'])
def test_unclosed_quote_is_reported_and_the_lines_after_it_load(app_dir, manage, name, bad):
    (app_dir / name).write_text(f"A=1\n{bad}\nC=3\nexport D=4\n")
    result = show(manage, "A", "B", "C", "D")
    assert (result.returncode, result.stdout) == (0, "1 - 3 4\n"), result.stderr
    assert result.stderr == (
        f" * Warning: {app_dir / name}, line 2: cannot be parsed; the line was skipped\n"
    )


def test_each_malformed_line_of_each_file_is_reported(app_dir, manage):
    (app_dir / ".flaskenv").write_text("=no name\nA=1\n")
    (app_dir / ".env").write_text("B=2\n\nC='x\nD=4\n")
    result = show(manage, "A", "B", "C", "D")
    assert (result.returncode, result.stdout) == (0, "1 2 - 4\n"), result.stderr
    assert result.stderr.splitlines() == [
        f" * Warning: {app_dir / '.flaskenv'}, line 1: cannot be parsed; the line was skipped",
        f" * Warning: {app_dir / '.env'}, line 3: cannot be parsed; the line was skipped",
    ]


def test_without_python_dotenv_a_tip_and_nothing_loaded(app_dir, manage, site):
    (site / "dotenv").mkdir()
    (site / "dotenv" / "__init__.py").write_text("raise ImportError('not installed')\n")
    (app_dir / ".env").write_text("A=env\n")
    result = show(manage, "A")
    assert result.returncode == 0
    assert result.stdout == "-\n"
    assert "Install python-dotenv to use them" in result.stderr


# -- the function itself ------------------------------------------------------------------------
@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working directory without .env files above it, and unset test variables."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("FSH_A", "FSH_B", "FSH_C", "FLASK_SKIP_DOTENV"):
        monkeypatch.delenv(name, raising=False)
    return work


def test_returns_false_without_files(clean):
    if any(Path(p, name).is_file() for p in clean.parents for name in (".env", ".flaskenv")):
        pytest.skip("a .env file exists above the temporary directory")
    assert load_dotenv_files() is False


def test_explicit_path_beats_defaults_and_existing_variables_win(clean, monkeypatch):
    (clean / ".env").write_text("FSH_A=env\nFSH_B=env\n")
    extra = clean / "extra.env"
    extra.write_text("FSH_B=extra\nFSH_C=${FSH_A}-interpolated\n")
    monkeypatch.setenv("FSH_A", "set")
    assert load_dotenv_files(extra) is True
    assert (os.environ["FSH_A"], os.environ["FSH_B"], os.environ["FSH_C"]) == (
        "set",
        "extra",
        "set-interpolated",
    )


def test_load_defaults_false_reads_only_the_path(clean):
    (clean / ".env").write_text("FSH_A=env\n")
    assert load_dotenv_files(clean / "missing.env", load_defaults=False) is False
    assert "FSH_A" not in os.environ


def test_undecodable_file_is_skipped_with_a_warning(clean, capsys):
    (clean / ".flaskenv").write_text("FSH_A=flaskenv\n")
    (clean / ".env").write_bytes(b"FSH_B=\xff\xfe\n")
    assert load_dotenv_files() is True
    assert os.environ["FSH_A"] == "flaskenv"
    assert "FSH_B" not in os.environ
    err = capsys.readouterr().err
    assert err.startswith(f" * Warning: {clean / '.env'}: cannot be read (")
    assert err.endswith("); skipped\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("1", False),
        ("yes", False),
        ("0", True),
        ("False", True),
        ("no", True),
    ],
)
def test_dotenv_enabled_reads_flask_skip_dotenv(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("FLASK_SKIP_DOTENV", raising=False)
    else:
        monkeypatch.setenv("FLASK_SKIP_DOTENV", value)
    assert dotenv_enabled() is expected
