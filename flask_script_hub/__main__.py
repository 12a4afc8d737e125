"""``python -m flask_script_hub``: the version, or a manage.py-less run for ``FLASK_APP``.

``python -m flask_script_hub --version`` prints the versions of flask-script-hub, Flask and
Python. Any other arguments run a root :class:`~flask_script_hub.Manager` whose app comes from
``FLASK_APP`` (or ``.flaskenv``), with the default commands and every installed plugin namespace.
"""

from __future__ import annotations

import sys

from . import __version__
from .manager import Manager


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m flask_script_hub`` and the ``flask-script-hub`` script."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from importlib.metadata import version

        print(
            f"flask-script-hub {__version__} (Flask {version('flask')}, "
            f"Python {sys.version.split()[0]})"
        )
        return 0
    manager = Manager(description="Run commands of the app named by FLASK_APP.")
    return manager.handle("flask-script-hub", args)


if __name__ == "__main__":
    sys.exit(main())
