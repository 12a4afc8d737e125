"""Shell completion through argcomplete, as bash would request it from a real manage.py."""

from __future__ import annotations

import pytest
from plugin_sources import BOOM, GREET

MANAGE = """\
# PYTHON_ARGCOMPLETE_OK
from flask import Flask
from flask_script_hub import Manager

def create_app(config=None):
    open("factory-called", "w").close()
    return Flask("completed")

manager = Manager(create_app)
manager.add_option("-c", "--config", dest="config")

@manager.command
def hello(name="world", loud=False):
    "Say hello"

if __name__ == "__main__":
    manager.run()
"""


@pytest.fixture
def complete(make_dist, write, manage, project, tmp_path):
    make_dist("fsh-greet", {"greet": "fsh_greet.plugin"}, {"fsh_greet/plugin.py": GREET})
    make_dist("fsh-boom", {"boom": "fsh_boom.plugin"}, {"fsh_boom/plugin.py": BOOM})
    write("manage.py", MANAGE)
    out = tmp_path / "completions"

    def complete(line: str) -> list[str]:
        run = manage(
            env={
                "_ARGCOMPLETE": "2",  # "python manage.py ...": the words start after the script
                "COMP_LINE": line,
                "COMP_POINT": str(len(line)),
                "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
                "_ARGCOMPLETE_IFS": "\n",
            }
        )
        assert run.returncode == 0, run.stderr
        assert not (project / "factory-called").exists(), "completion created the app"
        return sorted(out.read_text().split())

    return complete


def test_first_word_lists_commands_and_namespaces_without_importing_plugins(complete):
    # boom raises when imported: completing the first word must not import it
    words = complete("python manage.py ")
    # other plugins may be installed in this environment
    assert {"boom", "greet", "hello", "plugins", "runserver", "shell"} <= set(words)
    assert not any(word.startswith("-") for word in words)
    assert complete("python manage.py g") == ["greet"]
    assert complete("python manage.py -c dev h") == ["hello"]


def test_namespace_commands_and_options(complete):
    assert complete("python manage.py greet ") == ["hello"]
    assert "--loud" in complete("python manage.py greet --")
    assert complete("python manage.py greet hello --n") == ["--name"]


def test_command_options(complete):
    assert complete("python manage.py hello --l") == ["--loud"]
