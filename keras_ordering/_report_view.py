"""`ReportView`: the text, HTML and dict views every report shares.

`LintReport`, `VarianceShiftReport`, `TrainingFlagAudit` and
`RecalibrationReport` derive from it. A report gives its title, its table
(header and rows) and its footer lines; the base renders them as a left
aligned text table, a notebook table (left aligned under JupyterLab's CSS,
which centres or right-aligns cells by default) and JSON. Pure Python: the
command line imports it without keras.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

# JupyterLab's stylesheet right-aligns table cells and centres tables;
# these override it.
CELL_STYLE = "text-align:left;vertical-align:top"
TABLE_STYLE = "margin-left:0"


def printable(text: str) -> str:
    """`text` with control characters (newlines, ANSI escapes) escaped.

    Layer names come from user code and model files; a name holding a
    newline or an escape sequence must not break or recolour the terminal.
    """
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """The width of every column but the last, which is never padded."""
    return [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]


def text_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart, cells made printable."""
    header = [printable(cell) for cell in header]
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = column_widths(header, rows)
    return [text_row(row, widths) for row in [header, *rows]]


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with left-aligned cells; `rows` hold HTML, `header` plain text."""
    head = "".join(
        f'<th style="{CELL_STYLE}">{html.escape(cell)}</th>' for cell in header
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{CELL_STYLE}">{cell}</td>' for cell in row)
        + "</tr>"
        for row in rows
    )
    return (
        f'<table style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


class ReportView:
    """Base of the package's reports: `str`, `repr`, notebook HTML and JSON.

    Subclasses implement `to_dict`, `_summary` (for `repr`), `_title`,
    `_header` and `_rows` (plain-text cells), and may override `_html_header`
    and `_html_rows` (HTML cells, escaped text by default) and `_footer`
    (notes by default).
    """

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict()` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def _summary(self) -> str:
        raise NotImplementedError

    def _title(self) -> str:
        raise NotImplementedError

    def _header(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _rows(self) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def _html_header(self) -> tuple[str, ...]:
        return self._header()

    def _html_rows(self) -> list[list[str]]:
        return [[html.escape(cell) for cell in row] for row in self._rows()]

    def _footer(self) -> list[str]:
        return [f"Note: {note}" for note in getattr(self, "notes", ())]

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {printable(self._summary())}>"

    def __str__(self) -> str:
        lines = [printable(self._title())]
        rows = self._rows()
        if rows:
            lines += text_table(self._header(), rows)
        lines += [printable(line) for line in self._footer()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<div><p><b>{html.escape(self._title())}</b></p>"]
        rows = self._html_rows()
        if rows:
            parts.append(html_table(self._html_header(), rows))
        parts += [f"<p>{html.escape(line)}</p>" for line in self._footer()]
        parts.append("</div>")
        return "".join(parts)
