"""``flask_script.cli``: Flask-Script 2.0.6's prompt functions, from flask-script-hub."""

from __future__ import annotations

from flask_script_hub.prompts import prompt as prompt
from flask_script_hub.prompts import prompt_bool as prompt_bool
from flask_script_hub.prompts import prompt_choices as prompt_choices
from flask_script_hub.prompts import prompt_pass as prompt_pass

__all__ = ["prompt", "prompt_bool", "prompt_choices", "prompt_pass"]
