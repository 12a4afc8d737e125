"""A small real app for the shell/runserver/extras tests (copied to a temporary directory)."""

import json
import os

from flask import Flask

from . import views


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["GREETING"] = os.environ.get("HELLO_GREETING", "hello")
    if "HELLO_DEBUG" in os.environ:
        debug = os.environ["HELLO_DEBUG"]
        app.config["DEBUG"] = None if debug == "none" else debug == "1"
    # settings.json, if present, overrides GREETING (watched with runserver --extra-files)
    app.config.from_file(os.path.abspath("settings.json"), load=json.load, silent=True)
    app.register_blueprint(views.bp)

    @app.shell_context_processor
    def processor() -> dict[str, object]:
        return {"answer": 42}

    return app
