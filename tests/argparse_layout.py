"""argparse's help layout, made the same on every supported Python.

Python 3.13's argparse shows an option's metavar once (``-c, --count COUNT``), 3.11's after each
of its strings (``-c COUNT, --count COUNT``); the help column then starts on the same line or on
the next one, and wraps elsewhere. Tests compare help texts in 3.13's form.
"""

from __future__ import annotations

import re

_REPEATED_METAVAR = re.compile(r"(?<!\S)(-{1,2}[\w-]+) (\S+)((?:, -{1,2}[\w-]+ \2)+)(?=\s|$)")
_CONTINUATION = re.compile(r"^ {6,}\S")


def metavar_once(text: str) -> str:
    """``text`` with each repeated metavar shown once, as Python 3.13's argparse does.

    >>> metavar_once("  -p PORT, --port PORT  the port")
    '  -p, --port PORT  the port'
    """
    return _REPEATED_METAVAR.sub(_metavar_once, text)


def neutral_lines(lines: list[str]) -> list[str]:
    """Help text lines in one layout whichever Python's argparse printed them.

    A line indented by six spaces or more continues the line above it (a wrapped help text or
    usage line) and is joined to it; a repeated metavar is shown once (:func:`metavar_once`).
    """
    joined: list[str] = []
    for line in lines:
        if _CONTINUATION.match(line) and joined and joined[-1].strip() not in ("", "..."):
            joined[-1] = joined[-1].rstrip() + " " + line.strip()
        else:
            joined.append(line)
    return [metavar_once(line) for line in joined]


def _metavar_once(match: re.Match[str]) -> str:
    """``-c COUNT, --count COUNT`` as ``-c, --count COUNT`` (in any order of the strings)."""
    first, metavar, others = match.groups()
    return first + others.replace(" " + metavar, "") + " " + metavar
