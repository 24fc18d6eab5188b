"""`--output-format github`: GitHub Actions workflow commands, which show as
annotations on the pull request. A file not linted is an `::error` titled
`KO001 file-not-linted`."""

from __future__ import annotations

from typing import TextIO

from . import NOT_LINTED_CODE, NOT_LINTED_NAME, Errors, Reports
from .sarif import github_command


def write_github(reports: Reports, errors: Errors, out: TextIO) -> None:
    for file, report in reports:
        location = f"file={escape_property(file)}"
        for f in report:
            title = escape_property(f"{f.code} {f.name}")
            print(
                f"::{github_command(f.severity)} {location},title={title}::"
                f"{escape_data(f.message + ' Fix: ' + f.fix)}",
                file=out,
            )
        for layer, cls, why in report.opaque_layers:
            print(
                f"::notice {location},title=opaque layer::"
                f"{escape_data(f'{layer} ({cls}) was not looked into: {why}')}",
                file=out,
            )
    title = escape_property(f"{NOT_LINTED_CODE} {NOT_LINTED_NAME}")
    for file, problem in errors:
        print(
            f"::error file={escape_property(file)},title={title}::"
            f"{escape_data(problem)}",
            file=out,
        )


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
