"""Text helpers for one-line messages. Pure Python: the CLI's static path
imports it."""

from __future__ import annotations

import re


def one_line(text: str, limit: int = 160) -> str:
    """`text` with its whitespace runs collapsed to single spaces, cut to
    `limit` characters with a trailing "..." when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless one: "1 finding", "3 findings".

    "info" is a mass noun and stays as it is ("2 info")."""
    if number == 1 or noun == "info":
        return f"{number} {noun}"
    return f"{number} {noun}s"


def severity_counts(summary: dict[str, int]) -> str:
    """A report's summary as "1 error, 3 warnings, 2 info"."""
    return ", ".join(counted(n, severity) for severity, n in summary.items())


def keras_said(error: BaseException) -> str:
    """What a Keras or backend error says, on one line of 400 characters
    at most, without its "Exception encountered" and argument dumps."""
    said = [
        line.strip()
        for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines()
        if line.strip()
    ]
    said = [line for line in said if not line.startswith("Exception encountered")]
    for position, line in enumerate(said):
        if line.startswith("Arguments received"):
            said = said[:position]
            break
    text = " ".join(said) or type(error).__name__
    # Tensor values Keras prints with the inputs: their shape says enough.
    while True:
        shorter = re.sub(r"\[[^\[\]]{40,}\]", "[...]", text)
        if shorter == text:
            break
        text = shorter
    return text[:397] + "..." if len(text) > 400 else text
