"""The one call interception is thread-safe and reentrant (issue 19, fault 4).

Two lints, or a lint and a diagnostic, running at once in two threads each
see only their own thread's layer calls, and `Layer.__call__` is the
original afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import keras
import numpy as np
import pytest

from keras_ordering import lint_model
from keras_ordering._intercept import intercepting_layer_calls
from keras_ordering.diagnostics import audit_training_flag

WAIT = 60  # Seconds a thread waits for the other before the test fails.

# Block name -> what its next call does first (then the entry is gone).
_GATES: dict[str, Callable[[], None]] = {}


class GatedBlock(keras.layers.Layer):
    """Dropout -> BN (or BN -> Dropout) that can pause inside its call."""

    def __init__(self, dropout_first: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.dropout_first = dropout_first
        self.drop = keras.layers.Dropout(0.5, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        gate = _GATES.pop(self.name, None)
        if gate is not None:
            gate()  # Sublayer calls follow: they must reach this thread only.
        if self.dropout_first:
            return self.bn(self.drop(inputs, training=training), training=training)
        return self.drop(self.bn(inputs, training=training), training=training)


def _model(name: str, dropout_first: bool) -> keras.Model:
    inputs = keras.Input((32,), name="x")
    block = GatedBlock(dropout_first, name=name)
    return keras.Model(inputs, keras.layers.Dense(4, name="head")(block(inputs)))


def _ko101(model) -> list[tuple[str, ...]]:
    return [f.layers for f in lint_model(model, select="KO101")]


def _overlap(first: Callable[[], object], second: Callable[[], object], names):
    """Runs `first` and `second` in two threads so that `second` starts and
    pauses inside its traced block while `first` is paused inside its own,
    then `first` finishes while `second` is still inside (the order that
    left a dead patch behind)."""
    first_in, second_in, first_done = (threading.Event() for _ in range(3))
    results: dict[str, object] = {}

    def first_gate():
        first_in.set()
        assert second_in.wait(WAIT), "the second thread never overlapped"

    def second_gate():
        second_in.set()
        assert first_done.wait(WAIT), "the first thread never finished"

    _GATES[names[0]], _GATES[names[1]] = first_gate, second_gate

    def run(key, work, before=None, after=None):
        try:
            if before is not None:
                assert before.wait(WAIT)
            results[key] = work()
        except BaseException as error:  # Reported by the main thread.
            results[key] = error
        finally:
            if after is not None:
                after.set()

    threads = [
        threading.Thread(target=run, args=("first", first, None, first_done)),
        threading.Thread(target=run, args=("second", second, first_in)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * WAIT)
    _GATES.clear()
    for key in ("first", "second"):
        if isinstance(results.get(key), BaseException):
            raise results[key]  # type: ignore[misc]
    assert first_in.is_set() and second_in.is_set()
    return results["first"], results["second"]


def test_two_lints_in_two_threads_each_see_their_own_calls():
    original = keras.layers.Layer.__call__
    noisy, clean = _model("noisy", True), _model("clean", False)
    first, second = _overlap(
        lambda: _ko101(noisy), lambda: _ko101(clean), names=("noisy", "clean")
    )
    assert first == [("noisy/drop", "noisy/bn")]
    assert second == []
    assert keras.layers.Layer.__call__ is original
    # And the process goes on as before: later lints are right too.
    assert _ko101(_model("again", True)) == [("again/drop", "again/bn")]


def test_a_diagnostic_and_a_lint_in_two_threads_each_see_their_own_calls():
    original = keras.layers.Layer.__call__
    audited, linted = _model("audited", True), _model("linted", True)
    sample = np.random.default_rng(0).normal(size=(16, 32)).astype("float32")
    audit, found = _overlap(
        lambda: audit_training_flag(audited, sample),
        lambda: _ko101(linted),
        names=("audited", "linted"),
    )
    assert sorted(entry.layer for entry in audit) == ["audited/bn", "audited/drop"]
    assert audit.passed, audit
    assert found == [("linted/drop", "linted/bn")]
    assert keras.layers.Layer.__call__ is original


def _recorder(seen: list, tag: str):
    def wrapper(layer, call, args, kwargs, enclosing):
        seen.append((tag, layer.name, tuple(o.name for o in enclosing)))
        return call(*args, **kwargs)

    return wrapper


def test_interceptions_nest_and_restore_the_call_on_errors():
    original = keras.layers.Layer.__call__
    dense = keras.layers.Dense(2, name="dense")
    x = np.zeros((1, 3), "float32")
    seen: list = []
    with intercepting_layer_calls(_recorder(seen, "outer")):
        with intercepting_layer_calls(_recorder(seen, "inner")):
            dense(x)
        with intercepting_layer_calls(_recorder(seen, "exclusive"), exclusive=True):
            dense(x)
        dense(x)
    assert seen == [
        ("inner", "dense", ()),
        ("outer", "dense", ()),
        ("exclusive", "dense", ()),
        ("outer", "dense", ()),
    ]
    assert keras.layers.Layer.__call__ is original

    def failing(layer, call, args, kwargs, enclosing):
        raise RuntimeError("wrapper failed")

    with (
        pytest.raises(RuntimeError, match="wrapper failed"),
        intercepting_layer_calls(failing),
    ):
        dense(x)
    assert keras.layers.Layer.__call__ is original
    dense(x)  # Runs as usual.


def test_another_threads_calls_are_not_seen():
    dense = keras.layers.Dense(2, name="elsewhere")
    x = np.zeros((1, 3), "float32")
    dense(x)
    seen: list = []
    inside, called = threading.Event(), threading.Event()

    def other_thread():
        assert inside.wait(WAIT)
        dense(x)
        called.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with intercepting_layer_calls(_recorder(seen, "mine")):
        inside.set()
        assert called.wait(WAIT)
    thread.join(WAIT)
    assert seen == []
