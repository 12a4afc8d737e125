"""A griffe extension for the API pages: Sphinx roles in docstrings become cross-references.

The docstrings of the project use reStructuredText roles (``:class:`Manager```,
``:meth:`~.Command.run```), as Sphinx does; mkdocstrings would render them literally. Before the
docstrings are rendered, this turns each role into:

- a mkdocs-autorefs cross-reference (``[`Command.run`][flask_script_hub.commands.Command.run]``)
  when its target is in one of this repository's packages, resolved as Sphinx's Python domain
  does: a name is looked up in the scope of the documented object (its class, its module and the
  module's imports), a ``.name`` target by the end of its dotted path, a ``~`` target is shown by
  its last part. A target that cannot be resolved stays a cross-reference to the name as written,
  which mkdocs-autorefs reports ("Could not find cross-reference target") and
  ``mkdocs build --strict`` turns into an error, as Sphinx's nitpicky mode does;
- an inline code span when the target is outside this repository (the standard library,
  builtins, Flask, click, ...), as the site has no inventory of those projects' docs.

The ``:attr name: text`` fields of a class docstring become the docstrings of the class's
attributes (rendered with anchors, so ``:attr:`name``` links to them); a field that names no
attribute becomes a Markdown list item. Sphinx's ``#:`` comments above an assignment document
the attribute, as in Sphinx's autodoc; reST literal blocks (``text::`` and an indented block)
become fenced code blocks. :data:`PENDING` lists the targets known not to resolve
yet, shown as code until their docstrings are fixed: keep it empty.
"""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import griffe

#: the top-level packages whose objects the API pages document
OUR_PACKAGES = frozenset(
    {
        "flask_script_hub",
        "flask_script_hub_db",
        "flask_script_hub_migrate",
        "flask_script_hub_rq",
        "flask_script",
    }
)

ROLE = re.compile(
    r":(?:py:)?(?P<role>class|meth|func|attr|mod|exc|data|obj|const):`(?P<target>[^`]+)`"
)
ATTR_FIELD = re.compile(r"^(?P<indent>[ \t]*):attr (?P<name>\w+):", re.M)
#: an ``:attr name: text`` field with its indented continuation lines
ATTR_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*):attr (?P<name>\w+):(?P<body>.*(?:\n(?P=indent)[ \t]+\S.*)*)\n?", re.M
)
#: a heading line ("Class attributes:") left with nothing under it
EMPTY_HEADING = re.compile(r"\n[^\n]*\battributes:\s*\Z", re.I)
#: targets known not to resolve, shown as code until their docstrings are fixed: {target: where}
PENDING: dict[str, str] = {}


def _is_external(top: str) -> bool:
    """Whether ``top`` names a builtin or an importable module outside this repository."""
    if top in OUR_PACKAGES:
        return False
    if hasattr(builtins, top) or top in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _walk(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)  # type: ignore[arg-type]


def _by_suffix(root: griffe.Object, suffix: str) -> list[str]:
    """Paths of the objects under ``root`` whose dotted path ends with ``.suffix``."""
    return [o.path for o in _walk(root) if o.path.endswith(f".{suffix}")]


def resolve(obj: griffe.Object | None, target: str) -> str:
    """The full dotted path of the role ``target`` written in the docstring of ``obj``.

    :param obj: the documented object (``None``: no scope, ``target`` taken as a full path).
    :param target: the role's target, without its ``~`` (``"Manager"``, ``".Command.run"``,
        ``"flask_script_hub.Manager"``).
    :returns: the object's path (``"flask_script_hub.commands.Command.run"``) or, when it cannot be
        resolved, ``target`` without its leading dots.
    """
    name = target.lstrip(".")
    if obj is None:
        return name
    if target.startswith("."):
        # Sphinx: ".name" matches any object whose path ends with "name", the current module's first
        module = obj.module
        for scope in (module, module.package):
            found = _by_suffix(scope, name)
            if len(found) == 1:
                return found[0]
        return name
    first, dot, rest = name.partition(".")
    try:
        path = obj.resolve(first)
    except griffe.NameResolutionError:
        found = _by_suffix(obj.module.package, name)
        return found[0] if len(found) == 1 else name
    return f"{path}{dot}{rest}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def literal_blocks(text: str) -> str:
    """reST literal blocks (a paragraph ending with ``::``, then an indented block) as fences.

    As Sphinx: ``text::`` shows ``text:``, ``text ::`` and a lone ``::`` show nothing; the block
    is highlighted as Python (as TOML when it starts with a ``[table]`` line).
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.rstrip().endswith("::") or i + 1 >= len(lines) or lines[i + 1].strip():
            out.append(line)
            i += 1
            continue
        base = _indent(line)
        j = i + 2
        block: list[str] = []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
            block.append(lines[j])
            j += 1
        while block and not block[-1].strip():
            block.pop()
        if not block:
            out.append(line)
            i += 1
            continue
        head = line.rstrip()[:-2]
        if head.strip():
            out.append(head.rstrip() if head.endswith(" ") else f"{head}:")
            out.append("")
        pad = " " * base
        language = "toml" if block[0].strip().startswith("[") else "python"
        out.append(f"{pad}```{language}")
        cut = min(_indent(b) for b in block if b.strip())
        out += [f"{pad}{b[cut:]}" if b.strip() else "" for b in block]
        out.append(f"{pad}```")
        if j < len(lines):
            out.append("")
        i = j
    return "\n".join(out)


def convert(text: str, obj: griffe.Object | None = None) -> str:
    """The docstring ``text`` of ``obj`` with roles as cross-references or code spans.

    :param text: a docstring's text.
    :param obj: the object the docstring belongs to, the scope its role targets are resolved in.
    :returns: Markdown: ``[`title`][path]`` for this repository's objects, ``` `title` ``` for
        others, and ``:attr x:`` fields as list items.
    """

    def role(match: re.Match[str]) -> str:
        target = match["target"].strip()
        short = target.startswith("~")
        target = target.lstrip("~")
        title = target.lstrip(".")
        if short:
            title = title.rpartition(".")[2]
        path = resolve(obj, target)
        if path in PENDING or _is_external(path.partition(".")[0]):
            return f"`{title}`"
        return f"[`{title}`][{path}]"

    text = literal_blocks(ROLE.sub(role, text))
    return ATTR_FIELD.sub(lambda m: f"{m['indent']}- `{m['name']}`:", text)


def move_attr_fields(cls: griffe.Object) -> None:
    """Give each attribute of ``cls`` its ``:attr name: text`` field of the class docstring.

    The field becomes the attribute's own docstring, so that the attribute is rendered (with an
    anchor that ``:attr:`name``` links to); a field for an attribute that has a docstring or is
    not a member stays in the class docstring, where :func:`convert` makes it a list item.
    """
    if cls.docstring is None:
        return
    docstring = cls.docstring

    def move(match: re.Match[str]) -> str:
        member = cls.members.get(match["name"])
        if not isinstance(member, griffe.Attribute) or member.docstring:
            return match[0]
        member.docstring = griffe.Docstring(
            inspect.cleandoc(match["body"].strip()),
            lineno=docstring.lineno,
            endlineno=docstring.endlineno,
            parent=member,
            parser=docstring.parser,
            parser_options=docstring.parser_options,
        )
        return ""

    value = ATTR_BLOCK.sub(move, docstring.value)
    docstring.value = EMPTY_HEADING.sub("", value.rstrip())


def doc_comment(attr: griffe.Object) -> str | None:
    """The text of the Sphinx ``#:`` comment lines right above the assignment of ``attr``.

    As Sphinx's autodoc, ``#: text`` lines (one or more, just above the assignment, at its
    indentation) document an attribute that has no docstring.
    """
    filepath = attr.filepath
    if not isinstance(filepath, Path) or filepath not in attr.lines_collection or not attr.lineno:
        return None
    lines = attr.lines_collection[filepath]
    assignment = lines[attr.lineno - 1]
    indent = assignment[: len(assignment) - len(assignment.lstrip())]
    comment: list[str] = []
    for line in reversed(lines[: attr.lineno - 1]):
        if not line.startswith(f"{indent}#:"):
            break
        comment.insert(0, line[len(indent) + 2 :].removeprefix(" "))
    return "\n".join(comment) or None


class SphinxRoles(griffe.Extension):
    """Rewrite the docstring of every object of a package once the package is loaded."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        objects = list(_walk(pkg))
        for obj in objects:
            if obj.is_attribute and obj.docstring is None and (text := doc_comment(obj)):
                obj.docstring = griffe.Docstring(
                    text,
                    lineno=obj.lineno,
                    endlineno=obj.lineno,
                    parent=obj,
                    parser=loader.docstring_parser,
                    parser_options=loader.docstring_options,
                )
        for obj in objects:
            if obj.is_class:
                move_attr_fields(obj)
        for obj in objects:
            if obj.docstring is not None:
                obj.docstring.value = convert(obj.docstring.value, obj)
