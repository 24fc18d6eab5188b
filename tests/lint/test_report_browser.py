"""A LintReport's notebook HTML, rendered by a real browser (Chromium).

The page wraps the report in JupyterLab's rendered-HTML class with the rules
of JupyterLab's stylesheet that matter here (cells right-aligned, tables
centred), so the computed styles are those a JupyterLab user sees.
"""

from __future__ import annotations

import shutil

import keras
import pytest

from keras_ordering import lint_model

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs playwright (pip install playwright)"
)
CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs a Chromium executable on PATH (apt-get install chromium)",
)

# From JupyterLab's packages/rendermime/style/base.css.
JUPYTERLAB_CSS = """
.jp-RenderedHTMLCommon table { margin-left: auto; margin-right: auto; }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td {
  text-align: right; vertical-align: middle; padding: 0.5em;
}
"""


def risky_model() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="head"),
        ],
        name="risky",
    )


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        yield browser
        browser.close()


def render(browser, body: str):
    page = browser.new_page()
    page.set_content(
        f"<html><head><style>{JUPYTERLAB_CSS}</style></head><body>"
        f'<div class="jp-RenderedHTMLCommon">{body}</div></body></html>'
    )
    return page


def test_cells_align_left_under_jupyterlab_css(browser):
    page = render(
        browser,
        lint_model(risky_model())._repr_html_()
        + '<table id="control"><tr><td>a plain cell</td></tr></table>',
    )
    # The control shows the stylesheet is in force: a plain cell goes right.
    assert (
        page.eval_on_selector("#control td", "cell => getComputedStyle(cell).textAlign")
        == "right"
    )
    alignments = page.eval_on_selector_all(
        "table:not(#control) th, table:not(#control) td",
        "cells => cells.map(cell => getComputedStyle(cell).textAlign)",
    )
    assert len(alignments) == 4 * 3  # header + 2 findings, 4 columns
    assert set(alignments) == {"left"}
    # JupyterLab centres tables; the report's stays at the left edge.
    margins = page.eval_on_selector_all(
        "table", "tables => tables.map(t => getComputedStyle(t).marginLeft)"
    )
    assert margins[0] == "0px" and margins[-1] != "0px"  # The control centred.


def test_rule_links_point_to_docs_embedded_in_the_page(browser):
    page = render(browser, lint_model(risky_model())._repr_html_())
    links = page.eval_on_selector_all(
        "td a", "links => links.map(a => a.getAttribute('href'))"
    )
    # Most severe first: KO101 (warning), then KO102 (info).
    assert [href.rsplit("-", 1)[1] for href in links] == ["ko101", "ko102"]
    for href in links:
        # Each link names an element of this very page: the rule's docs.
        assert href.startswith("#")
        target = page.locator(f"details[id='{href[1:]}'] > summary")
        assert target.count() == 1
        assert target.inner_text().startswith(href.rsplit("-", 1)[1].upper())
    summaries = page.eval_on_selector_all(
        "details > summary", "nodes => nodes.map(n => n.textContent)"
    )
    assert summaries == [
        "KO101 dropout-before-batchnorm docs",
        "KO102 batchnorm-after-activation docs",
    ]
    details = page.locator("details").nth(0)
    assert not details.locator("h2").first.is_visible()  # Folded at first.
    details.locator("summary").click()
    headings = details.locator("h2, h3").all_inner_texts()
    assert "Why is this bad?" in headings
    assert details.locator("h2").first.is_visible()
    assert details.locator("pre > code.language-python").count() >= 2
    assert details.locator("p code, li code").count() >= 1
    assert "```" not in details.inner_text() and "## " not in details.inner_text()
