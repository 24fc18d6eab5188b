"""The real-model corpus: judged findings, no duplicate, live lint == file lint.

Every module of `tests/lint/corpus/real_models` transcribes one public model
definition (its `SOURCE`) and states the findings a careful reader judges
right on it (`EXPECTED`, with `REASONS`). Anything else the linter reports
is a false alarm or a duplicate. Cases where the linter is known to differ
from the judgement are in `KNOWN_DIFFERENCES` (strict xfail, so a fix shows
up as an unexpected pass and the mark must be removed).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections import Counter
from types import ModuleType

import keras
import pytest

from keras_ordering import lint_file, lint_model, rules
from tests.lint.corpus import real_models

SLUGS = sorted(
    info.name
    for info in pkgutil.iter_modules(real_models.__path__)
    if not info.name.startswith("_")
)

CATALOGUE = {rule["code"] for rule in rules()}

# (test name, slug) -> what the linter gets wrong on that model, for a case
# marked as a known difference (strict xfail: a fix shows as a failure).
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}
# (test name, slug, backend) -> the same, on one backend only: tensor
# operations between layer calls (a Lambda's slice) are traced on the live
# model on TensorFlow only, and never from a file (it runs no code).
KNOWN_BACKEND_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("test_live_lint_equals_file_lint", "dl4tsc_encoder", "tensorflow"): (
        "KO103 through the Lambda's channel slice: traced on the live model, "
        "opaque in the file"
    ),
    ("test_judged_findings", "dl4tsc_encoder", "torch"): (
        "KO103 through the Lambda's channel slice needs TensorFlow's tracing"
    ),
}


def cases(test_name: str) -> list:
    return [pytest.param(slug, marks=_marks(test_name, slug)) for slug in SLUGS]


def _marks(test_name: str, slug: str) -> list:
    marks = []
    reason = KNOWN_DIFFERENCES.get((test_name, slug)) or (
        KNOWN_BACKEND_DIFFERENCES.get((test_name, slug, keras.backend.backend()))
    )
    if reason:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    # A model whose build takes long (a keras.applications backbone).
    if getattr(corpus_module(slug), "SLOW", False):
        marks.append(pytest.mark.slow)
    return marks


def corpus_module(slug: str) -> ModuleType:
    return importlib.import_module(f"{real_models.__name__}.{slug}")


# On JAX, building the corpus spends minutes XLA-compiling the random weight
# initializers (one compile per new weight shape; about 200 s of CPU for the
# corpus against 15 s on PyTorch), which says nothing about the linter. So
# this file skips every build on JAX: it checks the corpus on TensorFlow and
# PyTorch only (both run it in CI), and claims nothing for JAX.
SKIP_BUILDS = keras.backend.backend() == "jax"


@functools.cache
def _build(slug: str) -> keras.Model:
    return corpus_module(slug).build()


def built(slug: str) -> keras.Model:
    """Each model is built once per session; linting does not change it."""
    if SKIP_BUILDS:
        pytest.skip("corpus models are not built on JAX (initializer compiles)")
    return _build(slug)


@functools.cache
def live_report(slug: str):
    return lint_model(built(slug))


def judged(slug: str) -> Counter:
    """The findings a careful reader judges right, per rule code."""
    return Counter(corpus_module(slug).EXPECTED)


def describe(report) -> str:
    return "\n".join(f"{f.code} {f.severity} {f.layers}" for f in report)


def test_corpus_has_at_least_40_models():
    assert len(SLUGS) >= 40, SLUGS


def test_known_differences_name_real_cases():
    # A misspelt key would silently stop marking its case.
    tests = {name for name in globals() if name.startswith("test_")}
    for test_name, slug in KNOWN_DIFFERENCES:
        assert test_name in tests, test_name
        assert slug in SLUGS, slug
    for test_name, slug, backend in KNOWN_BACKEND_DIFFERENCES:
        assert test_name in tests, test_name
        assert slug in SLUGS, slug
        assert backend in ("tensorflow", "torch", "jax"), backend


@pytest.mark.parametrize("slug", cases("test_source_and_reasons"))
def test_source_and_reasons(slug):
    module = corpus_module(slug)
    assert module.SOURCE.startswith("https://"), module.SOURCE
    assert module.SOURCE in module.__doc__, "the docstring must cite SOURCE"
    assert set(module.REASONS) == set(module.EXPECTED), "one reason per code"
    assert all(count > 0 for count in module.EXPECTED.values()), module.EXPECTED
    assert set(module.EXPECTED) <= CATALOGUE, module.EXPECTED
    assert all(reason.strip() for reason in module.REASONS.values())


@pytest.mark.parametrize("slug", cases("test_judged_findings"))
def test_judged_findings(slug):
    report = live_report(slug)
    assert Counter(f.code for f in report) == judged(slug), describe(report)
    # Opt-in rules may add info findings; never a warning or an error beyond
    # the judged ones.
    everything = lint_model(built(slug), select="ALL")
    serious = Counter(f.code for f in everything if f.reaches("warning"))
    assert serious - judged(slug) == Counter(), describe(everything)


@pytest.mark.parametrize("slug", cases("test_no_duplicate_findings"))
def test_no_duplicate_findings(slug):
    report = live_report(slug)
    # The same layers twice: one problem reported twice, e.g. once per call
    # site of a shared sub-model.
    same_layers = Counter((f.code, frozenset(f.layers)) for f in report)
    assert [key for key, n in same_layers.items() if n > 1] == [], describe(report)
    # One problem per source layer: a dropout reaching several BNs, or one
    # reached by several routes, is one finding.
    same_source = Counter((f.code, f.layers[0]) for f in report)
    assert [key for key, n in same_source.items() if n > 1] == [], describe(report)


def _is_graph_model(model: keras.Model) -> bool:
    return isinstance(model, keras.Sequential) or (type(model).__name__ == "Functional")


@pytest.mark.parametrize("slug", cases("test_live_lint_equals_file_lint"))
def test_live_lint_equals_file_lint(slug, tmp_path):
    model = built(slug)
    if not _is_graph_model(model):
        pytest.skip("a subclassed model's file holds no layer graph to read")
    path = tmp_path / f"{slug}.keras"
    model.save(path)

    def key(report):
        return Counter((f.code, f.severity, f.layers) for f in report)

    live, from_file = live_report(slug), lint_file(path)
    assert key(live) == key(from_file), (describe(live), describe(from_file))
