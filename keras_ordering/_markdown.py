"""A tiny Markdown to HTML converter for the subset the rule docs use.

Headings (`## What it does`), paragraphs, fenced code blocks (```python),
`- ` lists (items may continue on indented lines) and `inline code`. Every
piece of text is HTML-escaped. No dependency, so notebooks render the docs
that `LintReport` embeds without a Markdown package.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_ITEM = re.compile(r"^[-*]\s+(.*)$")
_INLINE_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Escaped text with `code` spans as <code>."""
    parts = _INLINE_CODE.split(text)
    return "".join(
        f"<code>{html.escape(part)}</code>" if odd else html.escape(part)
        for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts))
    )


def markdown_to_html(text: str) -> str:
    """HTML for `text`, in the Markdown subset described in the module."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append(
                "<ul>"
                + "".join(f"<li>{inline(' '.join(item))}</li>" for item in items)
                + "</ul>"
            )
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        fence = _FENCE.match(stripped)
        if fence:
            flush()
            code: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            language = fence.group(1)
            css = f' class="language-{html.escape(language)}"' if language else ""
            out.append(
                f"<pre><code{css}>{html.escape(chr(10).join(code))}</code></pre>"
            )
        elif not stripped:
            flush()
        elif heading := _HEADING.match(stripped):
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif item := _ITEM.match(stripped):
            if paragraph:
                flush()
            items.append([item.group(1)])
        elif items and line[:1].isspace():
            items[-1].append(stripped)  # A list item continued.
        else:
            if items:
                flush()
            paragraph.append(stripped)
        index += 1
    flush()
    return "\n".join(out)
