"""`--output-format json`: one object per file, `{file, ...report}`, and for
a file that could not be linted `{file, error, code: "KO001"}`."""

from __future__ import annotations

from typing import Any, TextIO

from . import NOT_LINTED_CODE, NOT_LINTED_NAME, Errors, Reports, dump_json


def rows(reports: Reports, errors: Errors) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"file": file, **report.to_dict()} for file, report in reports
    ]
    found += [
        {
            "file": file,
            "error": problem,
            "code": NOT_LINTED_CODE,
            "name": NOT_LINTED_NAME,
        }
        for file, problem in errors
    ]
    return found


def write_json(reports: Reports, errors: Errors, out: TextIO) -> None:
    dump_json(rows(reports, errors), out)
