"""Refuse to run alongside a real Flask-Script: both install a top-level ``flask_script``.

pip cannot refuse to install two distributions that provide the same package; whichever is
installed last overwrites the other's files. So the check happens when ``flask_script`` is
imported: if a distribution named ``Flask-Script`` is installed (found by
:func:`importlib.metadata.distribution`, which looks the name up directly and reads no other
distribution's metadata), the import fails with a message saying what to do.
"""

from __future__ import annotations

from importlib import metadata

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
        raise ConflictingFlaskScript(
            f"flask-script-hub-compat refuses to run: {dist.metadata['Name']} {dist.version} is "
            f"installed too (in {where}), and both provide the 'flask_script' package. "
            f"Uninstall both, then reinstall flask-script-hub-compat: "
            f"pip uninstall -y {name} flask-script-hub-compat && "
            f"pip install flask-script-hub-compat"
        )
