"""Flask-Script's extra commands: ``urls`` (:class:`ShowUrls`) and ``clean`` (:class:`Clean`).

They are not added by default; add them to a manager::

    from flask_script_hub.extras import Clean, ShowUrls

    manager.add_command("urls", ShowUrls())
    manager.add_command("clean", Clean())

Nothing here imports Flask or Werkzeug at module level.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from typing import Any

from .commands import Command, InvalidCommand, Option

__all__ = ["Clean", "ShowUrls"]

_SORTS = ("rule", "endpoint", "methods", "match")


class ShowUrls(Command):
    """Show the URL rules of the app: rule, endpoint and methods, as ``flask routes``.

    As Flask-Script 2.0's ``ShowUrls`` (``manage.py urls [URL] [--order ATTR]``) with ``flask
    routes``'s columns and options. Given a URL, shows the rule that matches it and the arguments
    it extracts (``--method`` picks the HTTP method to match, default ``GET``); a URL that matches
    nothing is an error (exit status 1).

    :param order: the default sort key: ``rule`` (default), ``endpoint``, ``methods``, or
        ``match`` (the order in which Werkzeug tries the rules).
    :raises ValueError: for another ``order``.
    """

    def __init__(self, order: str = "rule") -> None:
        super().__init__()
        if order not in _SORTS:
            raise ValueError(f"order must be one of {', '.join(_SORTS)}, not {order!r}")
        self.__doc__ = "Show the URL rules of the app, or the rule that matches a URL."
        self.order = order

    def get_options(self) -> list[Any]:
        """``[URL]``, ``--order/--sort``, ``--all-methods``, ``-f/--filter``, ``-m/--method``."""
        return [
            Option("url", nargs="?", default=None, help="a URL to match, e.g. /static/app.css"),
            Option(
                "-s",
                "--order",
                "--sort",
                dest="order",
                choices=_SORTS,
                default=self.order,
                help="sort by this column (default: %(default)s)",
            ),
            Option(
                "--all-methods",
                action="store_true",
                default=False,
                help="show HEAD and OPTIONS too",
            ),
            Option(
                "-f",
                "--filter",
                dest="pattern",
                metavar="PATTERN",
                default=None,
                help="only rules whose rule or endpoint matches PATTERN (shell-style, e.g. "
                "'/admin/*'; without wildcards: contains PATTERN)",
            ),
            Option(
                "-m",
                "--method",
                dest="method",
                default=None,
                type=str.upper,
                help="only rules that accept METHOD; with URL, the method to match (default GET)",
            ),
        ]

    def run(
        self,
        url: str | None = None,
        order: str = "rule",
        all_methods: bool = False,
        pattern: str | None = None,
        method: str | None = None,
    ) -> int:
        """Print the table (or the match of ``url``) on stdout.

        :returns: 0.
        :raises InvalidCommand: when ``url`` matches no rule, or not with this method.
        """
        from flask import current_app

        url_map = current_app.url_map
        if url is not None:
            return self._match(url_map, url, method or "GET")
        rules = list(url_map.iter_rules())
        if pattern:
            rules = [r for r in rules if _matches(pattern, r.rule) or _matches(pattern, r.endpoint)]
        if method:
            rules = [r for r in rules if method in (r.methods or ())]
        if not rules:
            print("No routes match." if (pattern or method) else "No routes were registered.")
            return 0
        hidden = set() if all_methods else {"HEAD", "OPTIONS"}
        rows = [
            (rule.rule, rule.endpoint, ", ".join(sorted((rule.methods or set()) - hidden)))
            for rule in rules
        ]
        if order != "match":  # iter_rules() gives Werkzeug's matching order
            column = {"rule": 0, "endpoint": 1, "methods": 2}[order]
            rows.sort(key=lambda row: (row[column], row))
        from .tables import print_table

        print_table(("Rule", "Endpoint", "Methods"), rows, rule=True)
        return 0

    @staticmethod
    def _match(url_map: Any, url: str, method: str) -> int:
        from urllib.parse import urlsplit

        from werkzeug.exceptions import HTTPException
        from werkzeug.routing import RequestRedirect

        parts = urlsplit(url)
        adapter = url_map.bind(parts.netloc or "localhost", url_scheme=parts.scheme or "http")
        try:
            rule, arguments = adapter.match(
                parts.path or "/", method=method, return_rule=True, query_args=parts.query
            )
        except RequestRedirect as exc:
            print(f"{url} redirects to {exc.new_url}")
            return 0
        except HTTPException as exc:
            raise InvalidCommand(f"{method} {url}: {exc.code} {exc.name}") from None
        args = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
        from .tables import print_table

        print_table(
            ("Rule", "Endpoint", "Arguments"), [(rule.rule, rule.endpoint, args)], rule=True
        )
        return 0


class Clean(Command):
    """Remove Python bytecode: ``*.pyc``/``*.pyo`` files and ``__pycache__`` directories.

    As Flask-Script 2.0's ``Clean`` (which removed ``*.pyc``/``*.pyo`` under the current
    directory), also removing the ``__pycache__`` directories Python 3 writes. Virtual
    environments (directories holding ``pyvenv.cfg``) and hidden directories (``.git``, ``.tox``)
    are left alone. Needs no app.
    """

    needs_app = False

    def __init__(self) -> None:
        super().__init__()
        self.__doc__ = "Remove *.pyc and *.pyo files and __pycache__ directories."

    def get_options(self) -> list[Any]:
        """``[PATH]``, ``-n/--dry-run``, ``-q/--quiet``."""
        return [
            Option("path", nargs="?", default=".", help="where to start (default: .)"),
            Option("-n", "--dry-run", action="store_true", default=False, help="only list"),
            Option("-q", "--quiet", action="store_true", default=False, help="print nothing"),
        ]

    def run(self, path: str = ".", dry_run: bool = False, quiet: bool = False) -> int:
        """Remove (or list) the bytecode under ``path``, printing each path removed.

        :returns: 0.
        :raises InvalidCommand: when ``path`` is not a directory or something cannot be removed.
        """
        import shutil

        if not os.path.isdir(path):
            raise InvalidCommand(f"{path}: not a directory")
        count = 0
        for target in _bytecode(path):
            if not quiet:
                print(f"{'Would remove' if dry_run else 'Removing'} {target}")
            count += 1
            if dry_run:
                continue
            try:
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                else:
                    os.remove(target)
            except OSError as exc:
                raise InvalidCommand(f"cannot remove {target}: {exc.strerror}") from None
        if not quiet and count == 0:
            print("Nothing to clean.")
        return 0


def _bytecode(top: str) -> Iterator[str]:
    """``__pycache__`` directories and ``*.pyc``/``*.pyo`` files under ``top``, top-down."""
    for dirpath, dirnames, filenames in os.walk(top):
        keep = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            if name == "__pycache__":
                yield full
            elif not name.startswith(".") and not os.path.isfile(os.path.join(full, "pyvenv.cfg")):
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                yield os.path.join(dirpath, name)


def _matches(pattern: str, text: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(text, pattern)
    return pattern in text
