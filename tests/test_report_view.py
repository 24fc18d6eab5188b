"""The view every report shares: left-aligned tables, JSON, escaped text."""

from __future__ import annotations

import json

from keras_ordering._report_view import (
    ReportView,
    html_table,
    printable,
    text_table,
)


class Tiny(ReportView):
    notes = ("a note",)

    def to_dict(self):
        return {"rows": [list(row) for row in self._rows()]}

    def _summary(self):
        return "2 rows"

    def _title(self):
        return "Tiny report"

    def _header(self):
        return ("name", "value")

    def _rows(self):
        return [("a<b", "1"), ("long\nname\x1b[31m", "22")]


def test_text_table_is_left_aligned_and_escaped():
    assert text_table(("a", "bb"), [("xyz", "1")]) == ["a    bb", "xyz  1"]
    text = str(Tiny())
    assert text.splitlines() == [
        "Tiny report",
        "name".ljust(20) + "value",
        "a<b".ljust(20) + "1",
        r"long\nname\x1b[31m  22",  # 18 characters, as printed.
        "Note: a note",
    ]
    assert printable("plain é") == "plain é"


def test_html_cells_are_left_aligned_and_escaped():
    page = Tiny()._repr_html_()
    assert page.count('<th style="text-align:left') == 2
    assert page.count('<td style="text-align:left') == 4
    assert "a&lt;b" in page and "<p>Note: a note</p>" in page
    assert html_table(("h",), []).count("<tr>") == 1


def test_repr_and_json():
    assert repr(Tiny()) == "<Tiny: 2 rows>"
    assert json.loads(Tiny().to_json()) == Tiny().to_dict()
