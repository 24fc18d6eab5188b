"""An executed notebook, exported by nbconvert and rendered in Chromium.

The notebook runs what a newcomer runs: a lint report, `fix_model`'s changes
and `measure_variance_shift` with its progress bar. nbconvert's HTML carries
JupyterLab's stylesheet, so the computed styles are those a reader of the
exported notebook sees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs nbformat (test extra)")
nbclient = pytest.importorskip("nbclient", reason="needs nbclient (test extra)")
nbconvert = pytest.importorskip("nbconvert", reason="needs nbconvert (test extra)")
pytest.importorskip("ipykernel", reason="needs ipykernel (test extra)")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs playwright (pip install playwright)"
)
CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
    None,
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs a Chromium executable on PATH (apt-get install chromium)",
    ),
]
ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    f"""import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, {str(ROOT)!r})
import keras
import numpy as np
from keras_ordering import fix_model, lint_model
from keras_ordering.diagnostics import measure_variance_shift""",
    # Graph order: KO102 (info), KO101 (warning), then KO201 (error) last.
    """model = keras.Sequential(
    [
        keras.Input((16,)),
        keras.layers.Dense(8, activation="relu", name="dense"),
        keras.layers.Dropout(0.5, name="dropout"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dense(1, activation="softmax", name="out"),
    ],
    name="risky",
)
report = lint_model(model)
report""",
    """fixed, changes = fix_model(model, return_changes=True)
changes""",
    """x = np.random.default_rng(0).normal(size=(1024, 16)).astype("float32")
model.compile(optimizer="sgd", loss="mse")
model.fit(x, x[:, :1], batch_size=64, epochs=1, verbose=0)
shift = measure_variance_shift(model, x, batch_size=64, verbose=1)""",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
    html, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    path = tmp_path_factory.mktemp("notebook") / "executed.html"
    path.write_text(html)
    return path


@pytest.fixture(scope="module")
def page(exported):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.goto(exported.as_uri())
        yield page
        browser.close()


def _tables(page) -> list[list[list[str]]]:
    return page.eval_on_selector_all(
        ".jp-OutputArea-output table",
        """tables => tables.map(table => Array.from(table.rows).map(
            row => Array.from(row.cells).map(cell => cell.innerText.trim())))""",
    )


def test_the_report_lists_the_error_first_aligned_left(page):
    findings = _tables(page)[0]
    assert findings[0] == ["code", "severity", "layers", "message"]
    assert [row[1] for row in findings[1:]] == ["error", "warning", "info"]
    assert [row[0] for row in findings[1:]] == ["KO201", "KO101", "KO102"]
    heading = page.inner_text(".jp-OutputArea-output b")
    assert heading == "Model 'risky': 3 findings (1 error, 1 warning, 1 info)"
    aligns = page.eval_on_selector_all(
        ".jp-OutputArea-output td",
        "cells => cells.map(cell => getComputedStyle(cell).textAlign)",
    )
    assert aligns and set(aligns) == {"left"}


def test_the_changes_are_a_table(page):
    changes = next(t for t in _tables(page) if t[0][:2] == ["code", "status"])
    assert changes[0] == [
        "code",
        "status",
        "layers",
        "what changed",
        "predictions",
        "note",
    ]
    assert len(changes) > 1
    assert all(row[1] in {"fixed", "left"} for row in changes[1:])
    assert "Change(" not in page.inner_text("body")


def test_the_progress_bar_is_one_clean_line(page):
    text = page.inner_text("body")
    assert "\b" not in text and "\x1b" not in text
    assert "\N{SYMBOL FOR BACKSPACE}" not in text
    assert text.count("32/32 batches [") == 1  # Its final state, once.
    assert text.count("measure_variance_shift: 2 passes") == 1
    page.screenshot(path=str(Path(page.url[len("file://") :]).with_suffix(".png")))
