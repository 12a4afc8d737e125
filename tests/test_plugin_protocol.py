"""The plugin protocol: the entry-point name is the namespace (``namespace_command``), plugins with
hooks only, hookspecs added at registration (``add_hookspecs``), the one registration door, and
plugins of the legacy ``register_commands`` form. Plugins are real installed distributions.
"""

from __future__ import annotations

import json

import pluggy
import pytest
from flask import Flask
from plugin_sources import GREET

from flask_script_hub import Manager, hookimpl
from flask_script_hub.plugins import HOOKS_GROUP, PluginStatus
from flask_script_hub.testing import ManagerRunner

MANAGE = """
from flask import Flask
from flask_script_hub import Manager

manager = Manager(lambda: Flask("protoapp"))
if __name__ == "__main__":
    manager.run()
"""

HI = """
from flask_script_hub import Manager, hookimpl

@hookimpl
def namespace_command(name):
    sub = Manager(help="Says hi")

    @sub.command
    def hello(who="world"):
        "Say hi"
        print(f"hi {who} from the {name!r} namespace")

    return sub
"""

CLICK = """
import click
from flask_script_hub import hookimpl

@click.command()
@click.option("--n", type=int, default=1)
def stamp(n):
    "Print stars"
    click.echo("*" * n)

@hookimpl
def namespace_command():
    return stamp
"""

CLASS = """
from flask_script_hub import Command, hookimpl

class Version(Command):
    "Print the version"
    needs_app = False

    def run(self):
        print("v1.2")

@hookimpl
def namespace_command():
    return Version
"""

CONTEXT = """
from flask_script_hub import hookimpl

@hookimpl
def shell_context(app):
    return {"colour": "blue"}
"""

SPEC = """
import pluggy
from flask_script_hub import Manager, hookimpl

spec = pluggy.HookspecMarker("flask_script_hub")

class Specs:
    @spec
    def greeting_words(lang):
        "words for a greeting"

@hookimpl
def add_hookspecs(plugin_manager):
    plugin_manager.add_hookspecs(Specs)

@hookimpl
def namespace_command():
    sub = Manager()

    @sub.command
    def words():
        from flask_script_hub import current_manager
        print(sorted(current_manager().call_hook("greeting_words", lang="en")))

    return sub
"""

WORDS = """
from flask_script_hub import hookimpl

@hookimpl
def greeting_words(lang):
    return "hello"
"""

BAD_WORDS = """
from flask_script_hub import hookimpl

@hookimpl
def greeting_words(lang, dialect):
    return "howdy"
"""


def hooks_dist(make_dist, name, entry, module, source, **kwargs):
    """Install a plugin with hooks only: an entry point of the ``flask_script_hub.hooks`` group."""
    info = make_dist(name, {}, {module: source}, **kwargs)
    with (info / "entry_points.txt").open("a") as f:
        f.write(f"\n[{HOOKS_GROUP}]\n{entry}\n")
    return info


@pytest.fixture
def project_with(write):
    write("manage.py", MANAGE)


def ours(stdout: str, *names: str) -> list[list[str]]:
    """The listing's rows of our plugins (others may be installed in this environment)."""
    return [
        line.split() for line in stdout.splitlines() if line.split()[:1] in ([n] for n in names)
    ]


# -- namespace_command: the entry-point name is the namespace ---------------------------------
def test_namespace_command_mounts_a_manager_under_the_entry_point_name(
    project_with, make_dist, manage
):
    make_dist("fsh-hi", {"hi": "fsh_hi.plugin"}, {"fsh_hi/plugin.py": HI})
    run = manage("hi", "hello", "--who", "ann")
    assert (run.returncode, run.stdout, run.stderr) == (0, "hi ann from the 'hi' namespace\n", "")
    # renamed by its entry point only: the plugin's code is unchanged
    make_dist("fsh-hi2", {"howdy": "fsh_hi.plugin"}, {})
    assert manage("howdy", "hello").stdout == "hi world from the 'howdy' namespace\n"


@pytest.mark.parametrize(
    ("source", "args", "expected"),
    [(CLICK, ["stamp", "--n", "3"], "***\n"), (CLASS, ["stamp"], "v1.2\n")],
    ids=["click-command", "command-class"],
)
def test_namespace_command_may_return_a_click_command_or_a_command_class(
    project_with, make_dist, manage, source, args, expected
):
    make_dist("fsh-stamp", {"stamp": "fsh_stamp.plugin"}, {"fsh_stamp/plugin.py": source})
    run = manage(*args)
    assert (run.returncode, run.stdout) == (0, expected), run.stderr


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("return None", "namespace_command returned None"),
        ("return 42", "namespace_command returned a int, not a Command"),
        ("raise LookupError('no config')", "LookupError: no config"),
    ],
)
def test_bad_namespace_command_is_one_line_and_fails_check(
    project_with, make_dist, manage, body, error
):
    source = "from flask_script_hub import hookimpl\n\n@hookimpl\ndef namespace_command():\n"
    source += f"    {body}\n"
    make_dist("fsh-bad", {"bad": "fsh_bad.plugin"}, {"fsh_bad/plugin.py": source})
    make_dist("fsh-hi", {"hi": "fsh_hi.plugin"}, {"fsh_hi/plugin.py": HI})
    run = manage("bad", "x")
    assert run.returncode == 1 and run.stderr.count("\n") == 1
    assert error in run.stderr and "'bad' plugin from fsh-bad 1.0 failed" in run.stderr
    check = manage("plugins", "--check")
    assert check.returncode == 1 and error in check.stdout
    assert manage("hi", "hello").returncode == 0


def test_plugin_without_command_hook_in_the_namespace_group_says_where_it_belongs(
    project_with, make_dist, manage
):
    make_dist("fsh-ctx", {"ctx": "fsh_ctx.plugin"}, {"fsh_ctx/plugin.py": CONTEXT})
    run = manage("ctx")
    assert run.returncode == 1
    assert "has no namespace_command hook" in run.stderr
    assert "'flask_script_hub.hooks' entry-point group" in run.stderr


def test_legacy_register_commands_plugin_keeps_working(project_with, make_dist, manage):
    make_dist(
        "flask-script-hub-greet", {"greet": "fsh_greet.plugin"}, {"fsh_greet/plugin.py": GREET}
    )
    make_dist("fsh-hi", {"hi": "fsh_hi.plugin"}, {"fsh_hi/plugin.py": HI})
    run = manage("greet", "hello", "-n", "bo")
    assert (run.returncode, run.stdout, run.stderr) == (0, "hello bo from protoapp\n", "")
    check = manage("plugins", "--check")
    assert check.returncode == 0, check.stdout
    assert [row[-1] for row in ours(check.stdout, "greet", "hi")] == ["loaded", "loaded"]
    assert manage("shell", "-c", "print(greeting)").stdout == "hi\n"


# -- plugins with hooks only ------------------------------------------------------------------
def test_hooks_only_plugin_is_listed_apart_checked_and_not_a_command(
    project_with, make_dist, manage
):
    hooks_dist(
        make_dist, "fsh-colour", "colour = fsh_colour.plugin", "fsh_colour/plugin.py", CONTEXT
    )
    make_dist("fsh-hi", {"hi": "fsh_hi.plugin"}, {"fsh_hi/plugin.py": HI})

    listing = manage("plugins")
    assert listing.returncode == 0, listing.stderr
    head, _, hooks = listing.stdout.partition("Plugins with hooks only (no namespace):\n")
    assert ours(head, "colour") == [] and ours(head, "hi")
    assert hooks.splitlines()[0].split()[:2] == ["PLUGIN", "DISTRIBUTION"]
    assert ours(hooks, "colour") == [
        ["colour", "fsh-colour", "1.0", "flask_script_hub.hooks", "fsh_colour.plugin", "available"]
    ]

    data = {d["namespace"]: d for d in json.loads(manage("plugins", "--json").stdout)}
    assert (data["colour"]["kind"], data["colour"]["group"]) == ("hooks", "flask_script_hub.hooks")
    assert data["hi"]["kind"] == "namespace"

    check = manage("plugins", "--check")
    assert check.returncode == 0, check.stdout
    assert ours(check.stdout, "colour")[0][-1] == "loaded"

    assert "colour" not in manage("--help").stdout
    run = manage("colour")
    assert run.returncode == 2 and "invalid choice: 'colour'" in run.stderr
    assert manage("shell", "-c", "print(colour)").stdout == "blue\n"


def test_hooks_only_plugin_registered_in_code():
    class Colour:
        """Adds a colour to the shell"""

        @hookimpl
        def shell_context(self, app):
            return {"colour": "red"}

    manager = Manager(Flask("x"), plugins=[])
    manager.register_plugin(Colour(), name="colour")
    runner = ManagerRunner()
    assert runner.invoke(manager, ["shell", "-c", "print(colour)"]).stdout == "red\n"
    assert "colour" not in runner.invoke(manager, ["--help"]).stdout
    assert runner.invoke(manager, ["colour"]).exit_code == 2
    listing = runner.invoke(manager, ["plugins", "--check"])
    assert listing.exit_code == 0
    assert "Plugins with hooks only (no namespace):" in listing.stdout
    assert ours(listing.stdout, "colour") == [
        ["colour", "(registered", "in", "code)", "-", "-", "Colour", "loaded"]
    ]


# -- add_hookspecs: specs known at registration -----------------------------------------------
def test_plugin_adds_its_hookspecs_at_registration(project_with, make_dist, manage):
    make_dist("fsh-spec", {"spec": "fsh_spec.plugin"}, {"fsh_spec/plugin.py": SPEC})
    hooks_dist(make_dist, "fsh-words", "words = fsh_words.plugin", "fsh_words/plugin.py", WORDS)
    run = manage("spec", "words")
    assert (run.returncode, run.stdout, run.stderr) == (0, "['hello']\n", "")


def test_implementation_not_matching_a_plugin_spec_fails_that_plugin_only(
    project_with, make_dist, manage
):
    make_dist("fsh-spec", {"spec": "fsh_spec.plugin"}, {"fsh_spec/plugin.py": SPEC})
    hooks_dist(make_dist, "fsh-words", "words = fsh_words.plugin", "fsh_words/plugin.py", WORDS)
    hooks_dist(make_dist, "fsh-bad", "badwords = fsh_bad.plugin", "fsh_bad/plugin.py", BAD_WORDS)
    check = manage("plugins", "--check")
    assert check.returncode == 1
    rows = {row[0]: " ".join(row[5:]) for row in ours(check.stdout, "spec", "words", "badwords")}
    assert rows["spec"] == rows["words"] == "loaded"
    assert rows["badwords"].startswith("error: PluginValidationError: Plugin 'badwords:fsh-bad'")
    assert "{'dialect'}" in rows["badwords"]
    run = manage("spec", "words")
    assert run.returncode == 0 and run.stdout == "['hello']\n"
    assert "warning: the 'badwords' plugin from fsh-bad 1.0 failed" in run.stderr


class Words:
    @hookimpl
    def greeting_words(self, lang, dialect):
        return "hey"


class SpecProvider:
    class Specs:
        @pluggy.HookspecMarker("flask_script_hub")
        def greeting_words(self, lang):
            """words"""

    @hookimpl
    def add_hookspecs(self, plugin_manager):
        plugin_manager.add_hookspecs(self.Specs)


def test_code_plugin_registered_after_the_spec_is_refused_at_once():
    manager = Manager(Flask("x"), plugins=[])
    manager.register_plugin(SpecProvider(), name="provider")
    with pytest.raises(pluggy.PluginValidationError, match="dialect"):
        manager.register_plugin(Words(), name="words")


def test_code_plugin_registered_before_the_spec_is_blamed_not_the_provider(capsys):
    manager = Manager(Flask("x"), plugins=[])
    manager.register_plugin(Words(), name="words")
    manager.register_plugin(SpecProvider(), name="provider")
    infos = {i.namespace: i for i in manager.load_plugins()}
    assert infos["provider"].status == PluginStatus.LOADED
    assert infos["words"].status == PluginStatus.ERROR == "error"
    assert "dialect" in (infos["words"].error or "")
    assert "warning: the 'words' plugin" in capsys.readouterr().err
    assert manager.call_hook("greeting_words", lang="en") == []


# -- the one registration door ----------------------------------------------------------------
def test_register_plugin_refuses_on_a_sub_manager():
    root, sub = Manager(Flask("x"), plugins=[]), Manager()
    root.add_command("sub", sub)
    with pytest.raises(RuntimeError, match="register_plugin\\(\\) is called on a sub-manager"):
        sub.register_plugin(Words(), name="words")


def test_plugin_status_is_a_str_enum():
    assert PluginStatus("error") is PluginStatus.ERROR
    assert json.dumps({"s": PluginStatus.LOADED}) == '{"s": "loaded"}'
    assert f"{PluginStatus.DISABLED}" == "disabled"
