"""The extra commands ``urls`` (ShowUrls) and ``clean`` (Clean)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from flask_script_hub import Manager
from flask_script_hub.extras import Clean, ShowUrls
from flask_script_hub.testing import ManagerRunner

APP = Path(__file__).parent / "apps" / "shellserver"
ENV = {"FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD": "1"}


def make_manager(order: str = "rule") -> Manager:
    app = Flask("urlsapp")

    @app.route("/zeta")
    def zeta() -> str:
        return ""

    @app.route("/alpha/<int:n>", methods=["GET", "POST"])
    def alpha(n: int) -> str:
        return ""

    @app.route("/admin/users", methods=["DELETE"])
    def admin_users() -> str:
        return ""

    @app.route("/old")
    def old() -> str:
        return ""

    app.add_url_rule("/legacy", "legacy", redirect_to="/old")
    manager = Manager(app, with_default_commands=False)
    manager.add_command("urls", ShowUrls(order=order))
    manager.add_command("clean", Clean())
    return manager


def urls(*args: str, order: str = "rule"):
    return ManagerRunner().invoke(make_manager(order), ["urls", *args], env=ENV)


def test_table_sorted_by_rule_like_flask_routes():
    result = urls()
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Rule                     Endpoint     Methods\n"
        "-----------------------  -----------  ---------\n"
        "/admin/users             admin_users  DELETE\n"
        "/alpha/<int:n>           alpha        GET, POST\n"
        "/legacy                  legacy       GET\n"
        "/old                     old          GET\n"
        "/static/<path:filename>  static       GET\n"
        "/zeta                    zeta         GET\n"
    )


def test_sort_by_endpoint_and_methods_and_constructor_default():
    endpoints = [line.split()[1] for line in urls("--sort", "endpoint").stdout.splitlines()[2:]]
    assert endpoints == ["admin_users", "alpha", "legacy", "old", "static", "zeta"]
    methods = [line.split()[-1] for line in urls("--order", "methods").stdout.splitlines()[2:]]
    assert methods[0] == "DELETE"
    assert urls(order="endpoint").stdout == urls("-s", "endpoint").stdout


def test_match_order_is_werkzeugs():
    rules = [line.split()[0] for line in urls("--sort", "match").stdout.splitlines()[2:]]
    assert sorted(rules) == sorted(line.split()[0] for line in urls().stdout.splitlines()[2:])
    assert rules != sorted(rules)  # Werkzeug tries static rules before converters


def test_all_methods_shows_head_and_options():
    line = next(x for x in urls("--all-methods").stdout.splitlines() if x.startswith("/zeta"))
    assert line.split(None, 2)[2] == "GET, HEAD, OPTIONS"


def test_filter_by_pattern_and_method():
    assert [x.split()[0] for x in urls("-f", "/a*").stdout.splitlines()[2:]] == [
        "/admin/users",
        "/alpha/<int:n>",
    ]
    assert [x.split()[0] for x in urls("--filter", "leg").stdout.splitlines()[2:]] == ["/legacy"]
    assert [x.split()[0] for x in urls("-m", "post").stdout.splitlines()[2:]] == ["/alpha/<int:n>"]
    result = urls("-f", "nothing-matches")
    assert (result.exit_code, result.stdout) == (0, "No routes match.\n")


def test_match_a_url_shows_rule_and_arguments():
    result = urls("/alpha/7")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2].split() == ["/alpha/<int:n>", "alpha", "n=7"]
    assert urls("/legacy").stdout == "/legacy redirects to http://localhost/old\n"


def test_unmatched_url_is_one_line_error():
    result = urls("/nope")
    assert (result.exit_code, result.stderr) == (1, "error: GET /nope: 404 Not Found\n")
    result = urls("/zeta", "--method", "DELETE")
    assert (result.exit_code, result.stderr) == (1, "error: DELETE /zeta: 405 Method Not Allowed\n")


def test_bad_order():
    with pytest.raises(ValueError, match="order must be one of"):
        ShowUrls(order="length")
    assert urls("--sort", "length").exit_code == 2


def test_no_routes():
    manager = Manager(Flask("empty", static_folder=None), with_default_commands=False)
    manager.add_command("urls", ShowUrls())
    result = ManagerRunner().invoke(manager, ["urls"], env=ENV)
    assert (result.exit_code, result.stdout) == (0, "No routes were registered.\n")


# -- clean ---------------------------------------------------------------------------------------
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for rel in (
        "pkg/__pycache__/mod.cpython-311.pyc",
        "pkg/old.pyc",
        "pkg/old.pyo",
        "pkg/mod.py",
        "pkg/sub/__pycache__/x.cpython-311.pyc",
        "keep.txt",
        ".git/objects/a.pyc",
        "venv/pyvenv.cfg",
        "venv/lib/__pycache__/site.cpython-311.pyc",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return root


def remaining(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_clean_removes_bytecode_and_pycache_but_not_venvs_or_hidden(tree):
    result = ManagerRunner().invoke(make_manager(), ["clean", str(tree)], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Removing {tree}/pkg/__pycache__",
        f"Removing {tree}/pkg/old.pyc",
        f"Removing {tree}/pkg/old.pyo",
        f"Removing {tree}/pkg/sub/__pycache__",
    ]
    assert remaining(tree) == [
        ".git/objects/a.pyc",
        "keep.txt",
        "pkg/mod.py",
        "venv/lib/__pycache__/site.cpython-311.pyc",
        "venv/pyvenv.cfg",
    ]
    again = ManagerRunner().invoke(make_manager(), ["clean", str(tree)], env=ENV)
    assert again.stdout == "Nothing to clean.\n"


def test_clean_dry_run_and_quiet(tree):
    before = remaining(tree)
    result = ManagerRunner().invoke(make_manager(), ["clean", "-n", str(tree)], env=ENV)
    assert result.stdout.startswith(f"Would remove {tree}/pkg/__pycache__\n")
    assert remaining(tree) == before
    result = ManagerRunner().invoke(make_manager(), ["clean", "-q", str(tree)], env=ENV)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "pkg/old.pyc" not in remaining(tree)


def test_clean_needs_a_directory(tmp_path):
    result = ManagerRunner().invoke(make_manager(), ["clean", str(tmp_path / "nope")], env=ENV)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {tmp_path / 'nope'}: not a directory\n",
    )


def test_clean_does_not_create_the_app(tree, project, manage, write):
    write(
        "manage.py",
        """
        from flask_script_hub import Manager
        from flask_script_hub.extras import Clean

        def create_app():
            raise SystemExit("the app factory must not run")

        manager = Manager(create_app)
        manager.add_command("clean", Clean())
        manager.run()
        """,
    )
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "m.pyc").write_text("x")
    result = manage("clean", env=ENV)
    assert (result.returncode, result.stdout) == (0, "Removing ./__pycache__\n")
    assert not (project / "__pycache__").exists()


def test_urls_through_manage_py(project, manage):
    shutil.copytree(APP, project, dirs_exist_ok=True)
    result = manage("urls", "--filter", "/items*", env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].split() == [
        "/items/<int:item_id>",
        "views.item",
        "GET,",
        "POST",
    ]
