"""`--output-format concise`: one line per finding, as ruff's `concise`:
`FILE: LAYERS: CODE message`; a file not linted is `FILE: KO001 problem`,
a layer the rules could not see into `FILE: LAYER: opaque LAYER (Class): why`."""

from __future__ import annotations

from typing import TextIO

from ..._report_view import printable
from . import NOT_LINTED_CODE, Errors, Reports


def write_concise(
    reports: Reports, errors: Errors, out: TextIO, *, quiet: bool = False
) -> None:
    for file, report in reports:
        for finding in report.by_severity():
            layers = " -> ".join(finding.layers)
            print(
                printable(f"{file}: {layers}: {finding.code} {finding.message}"),
                file=out,
            )
        for layer, cls, why in report.opaque_layers:
            line = f"{file}: {layer}: opaque {layer} ({cls}): {why}"
            print(printable(line), file=out)
    for file, problem in errors:
        print(printable(f"{file}: {NOT_LINTED_CODE} {problem}"), file=out)
    if not quiet:
        from .text import summary_line

        print(summary_line(reports, errors), file=out)
