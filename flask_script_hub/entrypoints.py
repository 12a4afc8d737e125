"""The entry points of flask-script-hub's groups, read once and cached on disk between runs.

Reading entry points with :mod:`importlib.metadata` costs more than the rest of a ``manage.py``
start-up with many distributions installed: importing it pulls in ``email``, ``zipfile`` and
``csv``, and every distribution's folder is scanned. As stevedore's entry-point cache does, the
entry points of the groups asked for are kept in a file of the user's cache folder
(``$XDG_CACHE_HOME/flask-script-hub``, by default ``~/.cache/flask-script-hub``) together with the
state of the installed distributions that produced them; a run whose state is the same reads the
file, and never imports :mod:`importlib.metadata` (loading a plugin does, when it is needed).

The state cannot go stale, by construction. It is computed before the metadata is read and holds,
for the Python executable and version and every ``sys.path`` entry (in order): the names of the
entry's ``*.dist-info``, ``*.egg-info``, ``*.pth`` and ``*.egg-link`` children (a distribution
installed or uninstalled changes them; an upgrade renames the ``*.dist-info``); the inode, size,
modification and change times (in nanoseconds) of each distribution's ``entry_points.txt`` (or
that it has none) and, when it has one, of its ``METADATA`` (``PKG-INFO``), and of each
``.pth``/``.egg-link`` file (a reinstall of the same version writes new files, an edit changes
the times). A distribution without ``entry_points.txt`` publishes no entry point, and gaining one
changes the state. A file changed within the last :data:`RACY_SECONDS` seconds could change
again within the same tick of the file system's clock without changing its times (git's "racily
clean" entries): the cache is then not written, so every state that is written can only change
by changing the times. A distribution found by anything else than the standard path finder (a
custom ``find_distributions`` on ``sys.meta_path``) turns the cache off for the run. The file is
written with :mod:`marshal` (as ``.pyc`` files are), which costs no import; another Python
version never reads it (the version is part of the file's key).

The cache is turned off with ``FLASK_SCRIPT_HUB_ENTRY_POINT_CACHE=0``; a cache folder that cannot
be written means no cache, never an error.
"""

from __future__ import annotations

import binascii
import contextlib
import marshal
import os
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .envvars import ENTRY_POINT_CACHE_ENV, env_flag

__all__ = ["MAX_AGE_DAYS", "RACY_SECONDS", "EntryPointRecord", "cache_dir", "entry_points"]

#: A keyed file changed less than this long ago keeps the cache from being written.
RACY_SECONDS = 2.0
#: Cache files not rewritten for this many days are removed when another one is written.
MAX_AGE_DAYS = 30
#: The version of the cache file's layout (a file of another version is ignored).
FORMAT = 1

_DIST_SUFFIXES = (".dist-info", ".egg-info")
_KEYED_SUFFIXES = (*_DIST_SUFFIXES, ".pth", ".egg-link")


class EntryPointRecord:
    """One entry point and the distribution that publishes it, as plain strings.

    Read from the cache, every field is known. Read from ``importlib.metadata`` for a run that
    does not write the cache, the distribution's fields are read from its ``METADATA`` on first
    use only: running one namespace never parses the other plugins' metadata.

    :param name: the entry point's name (``db``).
    :param value: its value (``flask_script_hub_db.plugin``, ``pkg.cli:group``).
    :param group: its group (``flask_script_hub`` or ``flask.commands``).
    :param module: the module part of the value, as :attr:`importlib.metadata.EntryPoint.module`.
    :param distribution: the distribution's ``Name`` (``None`` if it has no metadata).
    :param version: the distribution's ``Version``.
    :param summary: the distribution's one-line ``Summary`` (``""`` when it has none).
    :param dist: instead of the three above, the :class:`importlib.metadata.Distribution` to
        read them from when first asked.
    """

    __slots__ = ("_dist", "_meta", "group", "module", "name", "value")

    def __init__(
        self,
        name: str,
        value: str,
        group: str,
        module: str,
        distribution: str | None = None,
        version: str | None = None,
        summary: str = "",
        *,
        dist: Any = None,
    ) -> None:
        self.name, self.value, self.group, self.module = name, value, group, module
        self._dist = dist
        self._meta: tuple[str | None, str | None, str] | None = (
            None if dist is not None else (distribution, version, summary)
        )

    def _metadata(self) -> tuple[str | None, str | None, str]:
        if self._meta is None:
            metadata: Any = self._dist.metadata
            if metadata is None or metadata["Name"] is None:
                self._meta = (None, None, "")
            else:
                self._meta = (metadata["Name"], metadata["Version"], metadata["Summary"] or "")
        return self._meta

    @property
    def distribution(self) -> str | None:
        """The distribution's ``Name`` (``None`` if it has no metadata)."""
        return self._metadata()[0]

    @property
    def version(self) -> str | None:
        """The distribution's ``Version``."""
        return self._metadata()[1]

    @property
    def summary(self) -> str:
        """The distribution's one-line ``Summary`` (``""`` when it has none)."""
        return self._metadata()[2]

    def as_tuple(self) -> tuple[str | None, ...]:
        """All seven fields, metadata read if needed (the cache file's row)."""
        return (self.name, self.value, self.group, self.module, *self._metadata())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EntryPointRecord):
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EntryPointRecord{self.as_tuple()!r}"

    def load(self) -> Any:
        """Import and return the object the entry point names.

        :returns: the module or attribute, as :meth:`importlib.metadata.EntryPoint.load`.
        :raises ImportError: or whatever the imported module raises.
        """
        from importlib.metadata import EntryPoint

        return EntryPoint(self.name, self.value, self.group).load()


def cache_dir() -> str:
    """The folder of the cache: ``$XDG_CACHE_HOME/flask-script-hub`` (``~/.cache`` if unset).

    :returns: the folder's path (``str``; it may not exist yet).
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flask-script-hub")


def entry_points(groups: Sequence[str]) -> list[EntryPointRecord]:
    """The entry points of ``groups`` of the distributions on ``sys.path``.

    From the cache when the installed distributions are as they were when it was written, else
    from :func:`importlib.metadata.entry_points` (one scan for all groups; the cache is then
    rewritten, atomically). The order is importlib.metadata's: distributions in ``sys.path``
    order, entries in file order, groups in the order asked for.

    :param groups: the entry-point groups (``Sequence[str]``).
    :returns: one :class:`EntryPointRecord` per entry point (``list``).
    """
    use_cache = env_flag(ENTRY_POINT_CACHE_ENV, default=True) and _path_finders_only()
    if not use_cache:
        return _read_metadata(groups)
    location = [sys.executable, sys.version, sys.prefix, os.getcwd(), *groups, *sys.path]
    name = f"entry-points-{binascii.crc32(repr(location).encode()):08x}.marshal"
    path = os.path.join(cache_dir(), name)
    state, newest = _state(sys.path)
    cached = _read_cache(path, location, state)
    if cached is not None:
        return cached
    records = _read_metadata(groups)
    if time.time_ns() - newest > RACY_SECONDS * 1e9:
        _write_cache(path, location, state, records)  # reads every distribution's metadata
    return records


def _path_finders_only() -> bool:
    """Whether only the standard path finder can find distributions (what the state covers)."""
    import importlib.machinery

    return all(
        finder is importlib.machinery.PathFinder or not hasattr(finder, "find_distributions")
        for finder in sys.meta_path
    )


def _stat(path: str) -> tuple[str, int]:
    """``"ino size mtime ctime"`` of a file (``"-"`` when missing) and its newest time."""
    try:
        st = os.stat(path)
    except OSError:
        return "-", 0
    return (
        f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}",
        max(st.st_mtime_ns, st.st_ctime_ns),
    )


def _state(path: Iterable[str]) -> tuple[str, int]:
    """What the installed distributions on ``path`` are, and the newest time it depends on.

    :returns: the state as one string (compared as it is), and the newest modification or change
        time (ns since the epoch) of the files it describes.
    """
    lines: list[str] = []
    newest = 0
    for entry in path:
        folder = entry or "."
        try:
            with os.scandir(folder) as scan:
                children = sorted(
                    child.name
                    for child in scan
                    if child.name.lower().endswith(_KEYED_SUFFIXES) or child.name == "EGG-INFO"
                )
        except OSError:  # a zip file (its own times describe it), a missing or unreadable entry
            described, when = _stat(folder)
            lines.append(f"{entry}\0{described}")
            newest = max(newest, when)
            continue
        lines.append(f"{entry}\0folder")  # its own times change with any file: not keyed
        for name in children:
            child = os.path.join(folder, name)
            if not (name.lower().endswith(_DIST_SUFFIXES) or name == "EGG-INFO"):
                described, when = _stat(child)  # a .pth or .egg-link file
                newest = max(newest, when)
                lines.append(f" {name}\0{described}")
                continue
            described, when = _stat(os.path.join(child, "entry_points.txt"))
            lines.append(f" {name}\0{described}")
            if described == "-":
                continue  # no entry points (until it has an entry_points.txt: a new state)
            newest = max(newest, when)
            metadata = "METADATA" if name.lower().endswith(".dist-info") else "PKG-INFO"
            described, when = _stat(os.path.join(child, metadata))
            newest = max(newest, when)
            lines.append(f"  {described}")
    return "\n".join(lines), newest


def _read_cache(path: str, location: list[str], state: str) -> list[EntryPointRecord] | None:
    try:
        with open(path, "rb") as file:
            data = marshal.load(file)
        if data["format"] != FORMAT or data["location"] != location or data["state"] != state:
            return None
        return [EntryPointRecord(*row) for row in data["records"]]
    except (OSError, EOFError, ValueError, KeyError, TypeError):
        return None  # no file, another version's file, or a damaged one: read the metadata


def _write_cache(
    path: str, location: list[str], state: str, records: list[EntryPointRecord]
) -> None:
    import tempfile

    data = {
        "format": FORMAT,
        "location": location,
        "state": state,
        "records": [r.as_tuple() for r in records],
    }
    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path), suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as file:
                marshal.dump(data, file)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(folder, keep=path)
    except OSError:
        pass  # a read-only home or cache folder: no cache, the run goes on


def _prune(folder: str, keep: str) -> None:
    """Remove the cache files not written for :data:`MAX_AGE_DAYS` (projects long gone)."""
    oldest = time.time() - MAX_AGE_DAYS * 86400
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.name.startswith("entry-points-") and entry.path != keep:
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < oldest:
                        os.unlink(entry.path)


def _read_metadata(groups: Sequence[str]) -> list[EntryPointRecord]:
    """The records of ``groups`` from importlib.metadata (the cache's source of truth)."""
    from importlib.metadata import entry_points as metadata_entry_points

    installed = metadata_entry_points()  # one scan of the distributions for every group
    records: list[EntryPointRecord] = []
    for group in groups:
        for ep in installed.select(group=group):
            records.append(EntryPointRecord(ep.name, ep.value, group, ep.module, dist=ep.dist))
    return records
