"""Output formats of `keras-ordering lint`, one module each: `text`,
`concise`, `json`, `sarif`, `github` and `statistics`.

Every writer takes the same inputs: `(file, LintReport)` pairs and
`(file, problem)` pairs for files that could not be linted. A file that
cannot be linted is a diagnostic of its own, `KO001 file-not-linted`
(as ruff's `E902 io-error`), in every format. Pure Python: no ML framework.
"""

from __future__ import annotations

# As `_json`: importing the `json` format module sets `json` on this package.
import json as _json
from collections.abc import Sequence
from typing import Any, TextIO

from ..report import LintReport

# The diagnostic of a file that could not be linted. Not a rule of the
# catalogue: it cannot be selected or ignored, and it is always an error.
NOT_LINTED_CODE = "KO001"
NOT_LINTED_NAME = "file-not-linted"
NOT_LINTED_SEVERITY = "error"
NOT_LINTED_HELP = (
    "The file could not be linted: it is missing, unreadable, not a Keras "
    "model, unsafe to read, or needs `--load`. The other files are still "
    "linted. With `--exit-zero` the exit code stays 0."
)

Reports = Sequence[tuple[str, LintReport]]
Errors = Sequence[tuple[str, str]]
FORMATS = ("text", "concise", "json", "sarif", "github")


def dump_json(data: Any, out: TextIO) -> None:
    _json.dump(data, out, indent=2)
    out.write("\n")


def write(
    format_name: str,
    reports: Reports,
    errors: Errors,
    out: TextIO,
    *,
    skipped: int = 0,
    quiet: bool = False,
    statistics: bool = False,
    width: int | None = None,
) -> None:
    """Writes one lint run in `format_name` (one of `FORMATS`)."""
    if statistics:
        from .statistics import write_statistics

        write_statistics(format_name, reports, errors, out)
    elif format_name == "json":
        from .json import write_json

        write_json(reports, errors, out)
    elif format_name == "sarif":
        from .sarif import to_sarif

        dump_json(to_sarif(reports, errors), out)
    elif format_name == "github":
        from .github import write_github

        write_github(reports, errors, out)
    elif format_name == "concise":
        from .concise import write_concise

        write_concise(reports, errors, out, quiet=quiet)
    else:
        from .text import write_text

        write_text(reports, errors, out, skipped=skipped, quiet=quiet, width=width)
