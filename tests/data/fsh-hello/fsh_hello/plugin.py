"""A sample plugin, installed with pip by the end-to-end tests."""

from flask import current_app

from flask_script_hub import Manager, hookimpl

hello = Manager(help="Say hello from an installed plugin")


@hello.command
def greet(name="world"):
    """Greet NAME from the app."""
    print(f"hello {name} from {current_app.name}")


@hookimpl
def register_commands(manager):
    manager.add_command("hello", hello)


@hookimpl
def shell_context(app):
    return {"greeting": "hello"}
