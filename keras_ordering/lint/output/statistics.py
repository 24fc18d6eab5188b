"""`--statistics`: findings per rule, most frequent first, as ruff's."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from . import (
    NOT_LINTED_CODE,
    NOT_LINTED_NAME,
    NOT_LINTED_SEVERITY,
    Errors,
    Reports,
    dump_json,
)


def write_statistics(
    format_name: str, reports: Reports, errors: Errors, out: TextIO
) -> None:
    counts = Counter((f.code, f.name, f.severity) for _, r in reports for f in r)
    if errors:
        counts[(NOT_LINTED_CODE, NOT_LINTED_NAME, NOT_LINTED_SEVERITY)] = len(errors)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if format_name == "json":
        dump_json(
            [
                {"code": code, "name": name, "severity": severity, "count": count}
                for (code, name, severity), count in rows
            ],
            out,
        )
        return
    for (code, name, severity), count in rows:
        print(f"{count:5d}  {code}  {severity:8s} {name}", file=out)
