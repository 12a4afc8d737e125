"""The one table printer of flask-script-hub and its plugins, built on rich.

Columns separated by two spaces, a header row, no borders: the look of ``flask routes``. Imported
only when a table is printed (it imports rich). On a terminal rich fits the table to its width and
may style the header; written to a file or a pipe, a line is never wrapped nor cut, carries no
colour code and no trailing space.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["print_table"]

#: the width given to rich when the output is not a terminal: wide enough for any line
_UNLIMITED = 1_000_000


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    rule: bool = False,
    justify: Sequence[str] | None = None,
    file: IO[str] | None = None,
    title: str | None = None,
) -> None:
    """Print ``rows`` under ``headers``, as aligned columns.

    :param headers: the column titles (``Sequence[str]``), printed as given.
    :param rows: the rows, each a sequence of cells with one cell per header; cells are printed
        with ``str()`` (``None`` as an empty cell). Text is printed literally: no rich markup.
    :param rule: add a line of dashes under the header, as ``flask routes`` does.
    :param justify: per column, ``"left"`` (default), ``"right"`` or ``"center"``.
    :param file: where to print (default: ``sys.stdout`` at call time).
    :param title: a line printed above the table.
    """
    out = sys.stdout if file is None else file
    table = Table(
        box=None,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        header_style="bold",
        highlight=False,
        expand=False,
    )
    for i, header in enumerate(headers):
        align: Any = justify[i] if justify else "left"
        table.add_column(Text(header), justify=align, no_wrap=False, overflow="fold")
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    if rule:
        widths = [
            max([cell_len(h), *(cell_len(r[i]) for r in cells)]) for i, h in enumerate(headers)
        ]
        table.add_row(*("-" * width for width in widths))
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    probe = Console(file=out)
    if probe.is_terminal:
        if title:
            probe.print(Text(title))
        probe.print(table)
        return
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=_UNLIMITED,
        color_system=None,
        force_terminal=False,
        markup=False,
        highlight=False,
        emoji=False,
    )
    console.print(table)
    lines = buffer.getvalue().splitlines()
    if title:
        lines.insert(0, title)
    out.write("".join(line.rstrip() + "\n" for line in lines))
