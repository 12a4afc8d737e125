"""Source code of the small plugins installed by the tests (as real distributions)."""

GREET = """
from flask import current_app
from flask_script_hub import Manager, hookimpl

greet = Manager(help="Greetings")
greet.add_option("-l", "--loud", dest="loud", action="store_true")

def _options(app, loud=False):
    app.config["LOUD"] = loud

greet.app = _options

@greet.command
def hello(name="world"):
    "Say hello"
    text = f"hello {name} from {current_app.name}"
    print(text.upper() if current_app.config["LOUD"] else text)

@hookimpl
def register_commands(manager):
    manager.add_command("greet", greet)

@hookimpl
def shell_context(app):
    return {"greeting": "hi"}
"""

BOOM = "raise RuntimeError('boom was imported')\n"
