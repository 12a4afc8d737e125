"""The environment variables flask-script-hub reads, and the one way each kind is read.

Every ``FLASK_SCRIPT_HUB_*`` variable is named here (``docs/configuration.md`` lists them with
their defaults). Booleans follow Flask's ``FLASK_DEBUG``/``FLASK_SKIP_DOTENV`` spelling: unset or
empty gives the default; ``0``, ``false``, ``no`` or ``off`` (any case) mean off; any other value
means on. Lists are comma-separated, with spaces around the names allowed (``"db, rq"``).
"""

from __future__ import annotations

import os

__all__ = [
    "DISABLE_AUTOLOAD_ENV",
    "DISABLE_PLUGINS_ENV",
    "ENTRY_POINT_CACHE_ENV",
    "TRACEBACK_ENV",
    "env_flag",
    "env_list",
]

#: Set to a true value to print the traceback of a command error or a plugin failure.
TRACEBACK_ENV = "FLASK_SCRIPT_HUB_TRACEBACK"
#: Set to a true value to load no installed plugin at all (as pytest's
#: ``PYTEST_DISABLE_PLUGIN_AUTOLOAD``).
DISABLE_AUTOLOAD_ENV = "FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD"
#: Comma-separated namespaces or distribution names not to load.
DISABLE_PLUGINS_ENV = "FLASK_SCRIPT_HUB_DISABLE_PLUGINS"

#: Set to a false value (``0``, ``false``) to read entry points from the installed distributions on
#: every run instead of the on-disk cache (:mod:`flask_script_hub.entrypoints`). On by default.
ENTRY_POINT_CACHE_ENV = "FLASK_SCRIPT_HUB_ENTRY_POINT_CACHE"

_OFF = frozenset({"0", "false", "no", "off"})


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable, as Flask reads ``FLASK_DEBUG``.

    :param name: the variable's name.
    :param default: the answer when it is unset or empty.
    :returns: ``False`` for ``0``/``false``/``no``/``off`` in any case, ``True`` for any other
        non-empty value.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.lower() not in _OFF


def env_list(name: str) -> list[str]:
    """Read a comma-separated environment variable (``"db, rq"`` -> ``["db", "rq"]``).

    :param name: the variable's name.
    :returns: the non-empty items, stripped of surrounding spaces, in order (``list[str]``).
    """
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
