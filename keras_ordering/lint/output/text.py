"""`--output-format text` (the default) and `str(LintReport)`: one table per
file, each finding's message and fix under its row, wrapped to the terminal
width at word boundaries, and a summary line."""

from __future__ import annotations

import os
import textwrap
from typing import TYPE_CHECKING, TextIO

from ..._report_view import column_widths, printable, text_row
from ..._text import counted, severity_counts
from ..finding import SEVERITIES
from . import NOT_LINTED_CODE, Errors, Reports

if TYPE_CHECKING:
    from ..report import LintReport

# The width of text that goes to no terminal (a file, a pipe, a notebook).
DEFAULT_WIDTH = 100
# Below this many columns the text is not wrapped at all: a narrow pane
# reads a long line better than one word per line.
_NARROWEST = 40


def terminal_width(stream: TextIO | None = None) -> int:
    """`$COLUMNS`, else the width of `stream` when it is a terminal, else
    `DEFAULT_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream is not None and stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return DEFAULT_WIDTH


def _wrap(
    text: str, width: int, indent: str, subsequent: str | None = None
) -> list[str]:
    if width < _NARROWEST:
        return [indent + text]
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def report_text(report: LintReport, width: int | None = None) -> str:
    """The report as text, wrapped to `width` columns (default
    `DEFAULT_WIDTH`; the command line gives the terminal's).

    Layer and model names come from user code and model files: newlines and
    terminal escape codes are escaped so they cannot forge lines.
    """
    width = DEFAULT_WIDTH if width is None else width
    lines = [printable(report._headline())]
    findings = report.by_severity()  # The order of `report._rows()`.
    if findings:
        header = report._header()
        rows = [[printable(cell) for cell in row] for row in report._rows()]
        widths = column_widths(header, rows)
        lines.append(text_row(header, widths))
        last_column = " " * (sum(widths) + 2 * len(widths))
        # Message and fix start under the severity column, not under the
        # last one: a long layer path must not push them off the screen.
        indent = " " * (widths[0] + 2)
        for finding, row in zip(findings, rows, strict=True):
            # A layer path wraps under its column, or under the severity
            # column when a layer name is too long for that.
            longest = max(len(word) for word in row[-1].split() or [""])
            under = last_column if len(last_column) + longest <= width else indent
            lines += _wrap(text_row(row, widths), width, "", under)
            lines += _wrap(printable(finding.message), width, indent)
            lines += _wrap(
                f"fix: {printable(finding.fix)}", width, indent, indent + "     "
            )
    for line in report._footer():
        lines += _wrap(printable(line), width, "", "    ")
    return "\n".join(lines)


def summary_line(reports: Reports, errors: Errors) -> str:
    """`Found 3 findings (...) in 2 files; 1 file could not be linted (KO001).`"""
    total = dict.fromkeys(SEVERITIES, 0)
    for _, report in reports:
        for severity, count in report.summary.items():
            total[severity] += count
    not_linted = (
        f"{counted(len(errors), 'file')} could not be linted ({NOT_LINTED_CODE})"
        if errors
        else ""
    )
    if not reports and errors:
        return not_linted[0].upper() + not_linted[1:] + "."
    counts = severity_counts(total)
    line = (
        f"Found {counted(sum(total.values()), 'finding')} ({counts}) in "
        f"{counted(len(reports), 'file')}"
    )
    return line + (f"; {not_linted}" if not_linted else "") + "."


def write_text(
    reports: Reports,
    errors: Errors,
    out: TextIO,
    *,
    skipped: int = 0,
    quiet: bool = False,
    width: int | None = None,
) -> None:
    width = terminal_width(out) if width is None else width
    for file, report in reports:
        if not quiet or len(report) or report.opaque_layers:
            print(f"{printable(file)}: {report_text(report, width)}", file=out)
    for file, problem in errors:  # One line each, for grep, as ruff's.
        print(printable(f"{file}: {NOT_LINTED_CODE} {problem}"), file=out)
    if quiet:
        return
    not_models = f"; {skipped} skipped (--verbose lists them)" if skipped else ""
    print(summary_line(reports, errors).rstrip(".") + not_models + ".", file=out)
