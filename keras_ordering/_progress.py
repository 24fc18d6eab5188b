"""`ProgressLine`: a progress bar that renders cleanly everywhere.

Keras' `Progbar` redraws with backspaces and ANSI colours: an executed
notebook exported to HTML shows them as rows of boxes, and its last bar
twice. This line redraws with a carriage return in a terminal, with an
updated display in a notebook (so the saved output holds only the last
state), and writes a single final line to logs and pipes. Pure Python.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

BAR_WIDTH = 24
# Redraw at most this often (seconds): a bar per batch floods a notebook.
REDRAW_EVERY = 0.2


def _in_notebook(stream: TextIO) -> bool:
    """True inside a Jupyter kernel writing to its own stdout."""
    if "ipykernel" not in sys.modules or stream is not sys.stdout:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    return f"{int(value // 60)} min {value % 60:.0f} s"


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith(("ch", "sh", "s", "x")) else "s")


class ProgressLine:
    """One progress line over `total` steps (None while unknown).

    Args:
        total: the number of steps, or None until known (set `total` later).
        unit: what a step is, e.g. "batch".
        verbose: 0 silent, 1 a live bar (a final line in logs and pipes), 2
            only the final line.
        stream: where to write; standard output by default.
    """

    def __init__(
        self,
        total: int | None,
        *,
        unit: str = "batch",
        verbose: int = 1,
        stream: TextIO | None = None,
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stdout
        self.verbose = verbose
        live = verbose == 1
        self.notebook = live and _in_notebook(self.stream)
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = live and not self.notebook and bool(isatty and isatty())
        self.start = time.monotonic()
        self.done = 0
        self.drawn_at = 0.0
        self.width = 0
        self.handle: Any = None

    def text(self) -> str:
        """The line as it reads now."""
        elapsed = time.monotonic() - self.start
        count = self.total or self.done
        units = self.unit if count == 1 else _plural(self.unit)
        if not self.total:
            return f"{self.done} {units}  {_seconds(elapsed)}"
        filled = min(BAR_WIDTH, BAR_WIDTH * self.done // self.total)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"{self.done}/{self.total} {units} [{bar}] {_seconds(elapsed)}"
        if 0 < self.done < self.total:
            remaining = elapsed / self.done * (self.total - self.done)
            line += f", ETA {_seconds(remaining)}"
        return line

    def update(self, done: int) -> None:
        """Records `done` steps; redraws a live bar now and then."""
        self.done = done
        now = time.monotonic()
        if (self.notebook or self.terminal) and now - self.drawn_at >= REDRAW_EVERY:
            self.drawn_at = now
            self._draw()

    def finish(self) -> None:
        """Draws the final state once, and ends the line."""
        if not self.verbose:
            return
        if self.notebook or self.terminal:
            self._draw()
        if self.terminal:
            self.stream.write("\n")
        elif not self.notebook:
            self.stream.write(self.text() + "\n")
        self.stream.flush()

    def _draw(self) -> None:
        line = self.text()
        if self.notebook:
            from IPython.display import display

            content = {"text/plain": line}
            if self.handle is None:
                self.handle = display(content, raw=True, display_id=True)
            else:
                self.handle.update(content, raw=True)
            return
        # Pad over a longer previous line; never a backspace or escape code.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)
