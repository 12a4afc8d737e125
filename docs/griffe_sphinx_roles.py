"""A griffe extension for the API pages: Sphinx roles in docstrings shown as code.

The docstrings of the project use reStructuredText roles (``:class:`Manager```,
``:meth:`~.Command.run```) that mkdocstrings renders literally. This turns each role into an
inline code span of its target (the last part for a ``~`` target) and the ``:attr name: text``
fields of class docstrings into a Markdown list, before the docstrings are rendered.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|exc|data|obj|const):`(?P<target>[^`]+)`")
ATTR_FIELD = re.compile(r"^(?P<indent>[ \t]*):attr (?P<name>\w+):", re.M)


def _role(match: re.Match[str]) -> str:
    target = match["target"].strip()
    if target.startswith("~"):
        target = target.lstrip("~.").rpartition(".")[2]
    return f"`{target.lstrip('.')}`"


def convert(text: str) -> str:
    """The docstring ``text`` with roles as code spans and ``:attr x:`` fields as list items."""
    text = ROLE.sub(_role, text)
    return ATTR_FIELD.sub(lambda m: f"{m['indent']}- `{m['name']}`:", text)


class SphinxRoles(griffe.Extension):
    """Rewrite the docstring of every object once the tree is loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
