"""Refuse to run alongside a real Flask-Script: both install a top-level ``flask_script``.

pip cannot refuse to install two distributions that provide the same package; whichever is
installed last overwrites the other's files. So the check happens when ``flask_script`` is
imported: if a distribution named ``Flask-Script`` is installed (found by
:func:`importlib.metadata.distribution`, which looks the name up directly and reads no other
distribution's metadata), the import fails with a message saying what to do.
"""

from __future__ import annotations

import sys
from importlib import metadata
from types import TracebackType

from flask_script_hub.envvars import TRACEBACK_ENV, env_flag

__all__ = ["CONFLICTING", "ConflictingFlaskScript", "check_no_real_flask_script"]

#: Distributions that install their own ``flask_script`` package.
CONFLICTING: tuple[str, ...] = ("Flask-Script",)


class ConflictingFlaskScript(ImportError):
    """Raised on ``import flask_script`` when a real Flask-Script is installed as well."""


def check_no_real_flask_script() -> None:
    """Fail if a real Flask-Script is installed beside flask-script-hub-compat.

    :raises ConflictingFlaskScript: (an :class:`ImportError`) naming the distribution, its version
        and location, and the fix.
    """
    for name in CONFLICTING:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        where = dist.locate_file("")
        _one_line_if_uncaught()
        raise ConflictingFlaskScript(
            f"flask-script-hub-compat refuses to run: {dist.metadata['Name']} {dist.version} is "
            f"installed too (in {where}), and both provide the 'flask_script' package. "
            f"Uninstall both, then reinstall flask-script-hub-compat: "
            f"pip uninstall -y {name} flask-script-hub-compat && "
            f"pip install flask-script-hub-compat"
        )


def _one_line_if_uncaught() -> None:
    """Show the refusal as one line (``error: ...``, exit status 1) if nothing catches it.

    The exception still propagates as an ImportError, so code that imports ``flask_script``
    can catch it; only the report of an uncaught one changes, as flask-script-hub reports
    ``InvalidCommand``. ``FLASK_SCRIPT_HUB_TRACEBACK=1`` keeps Python's traceback.
    """
    previous = sys.excepthook

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        quiet = not env_flag(TRACEBACK_ENV)
        if isinstance(exc, ConflictingFlaskScript) and quiet:
            print(f"error: {exc}", file=sys.stderr)
        else:
            previous(exc_type, exc, tb)

    sys.excepthook = excepthook
