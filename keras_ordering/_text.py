"""Text helpers for one-line messages. Pure Python: the CLI's static path
imports it."""

from __future__ import annotations


def one_line(text: str, limit: int = 160) -> str:
    """`text` with its whitespace runs collapsed to single spaces, cut to
    `limit` characters with a trailing "..." when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
