"""The diagnostics' progress line renders cleanly in a terminal, a notebook
and a log: no backspaces, no escape codes, the last state once."""

from __future__ import annotations

import io
import itertools
import sys
import types

from keras_ordering import _progress
from keras_ordering._progress import ProgressLine


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_redraws_with_a_carriage_return_only(monkeypatch):
    monkeypatch.setattr(_progress, "REDRAW_EVERY", 0.0)
    stream = _Terminal()
    line = ProgressLine(4, verbose=1, stream=stream)
    for done in range(1, 5):
        line.update(done)
    line.finish()
    out = stream.getvalue()
    assert "\b" not in out and "\x1b" not in out
    assert out.endswith("\n") and out.count("\n") == 1
    frames = out.rstrip("\n").split("\r")[1:]
    assert frames[0].startswith("1/4 batches [######------------------]")
    assert "ETA" in frames[0]
    assert frames[-1].startswith("4/4 batches [########################]")
    assert "ETA" not in frames[-1]
    # Each frame pads over a longer previous one.
    assert all(len(b) >= len(a.rstrip()) for a, b in itertools.pairwise(frames))


def test_a_log_gets_one_final_line():
    stream = io.StringIO()
    line = ProgressLine(None, verbose=1, stream=stream)
    for done in range(1, 4):
        line.update(done)
    line.total = 3
    line.finish()
    assert stream.getvalue().startswith("3/3 batches [")
    assert stream.getvalue().count("\n") == 1
    assert "\r" not in stream.getvalue()


def test_silent_and_final_only():
    stream = _Terminal()
    ProgressLine(2, verbose=0, stream=stream).finish()
    assert stream.getvalue() == ""
    line = ProgressLine(2, verbose=2, stream=stream)
    line.update(1)
    line.update(2)
    line.finish()
    assert stream.getvalue().count("2/2 batches") == 1 and "\r" not in stream.getvalue()


def test_a_notebook_updates_one_display_and_writes_no_text(monkeypatch):
    monkeypatch.setattr(_progress, "REDRAW_EVERY", 0.0)
    shown: list[dict] = []

    class Handle:
        def update(self, content, raw):
            assert raw is True
            shown[-1] = content

    def display(content, raw, display_id):
        assert raw is True and display_id is True
        shown.append(content)
        return Handle()

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(_progress, "_in_notebook", lambda stream: True)
    fake_display = types.ModuleType("IPython.display")
    fake_display.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython.display", fake_display)
    stream = io.StringIO()
    line = ProgressLine(3, verbose=1, stream=stream)
    for done in range(1, 4):
        line.update(done)
    line.finish()
    assert stream.getvalue() == ""  # Nothing printed: one display, updated.
    assert len(shown) == 1
    assert shown[0]["text/plain"].startswith("3/3 batches [")
