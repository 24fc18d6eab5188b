"""Linter speed: ms per model, ms per layer, and the ratio to model.summary().

Run: python benchmarks/bench_lint.py [--repeats N] [--quick]

Prints, for the 13 keras.applications models of the test suite
(tests/applications.py) and for synthetic chains of 500 and 5,000 layers,
the median lint time and the median `model.summary()` time measured side by
side in this process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from keras_ordering import lint_model

# The test suite's models: one list for the benchmark and the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.applications import APPLICATION_SIZES


def median_seconds(function, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def chain(layer_count: int) -> keras.Model:
    """Dense -> BN -> ReLU -> Dropout blocks, `layer_count` layers in all."""
    inputs = keras.Input((8,))
    x = inputs
    factories = (
        lambda: keras.layers.Dense(8, use_bias=False),
        keras.layers.BatchNormalization,
        keras.layers.ReLU,
        lambda: keras.layers.Dropout(0.1),
    )
    for index in range(layer_count):
        x = factories[index % 4]()(x)
    return keras.Model(inputs, x, name=f"chain_{layer_count}")


def measure(model: keras.Model, repeats: int) -> tuple[float, float]:
    lint_model(model)  # Warm-up: first-call imports.
    lint = median_seconds(lambda: lint_model(model), repeats)
    summary = median_seconds(
        lambda: model.summary(print_fn=lambda *args, **kwargs: None),
        max(3, repeats // 3),
    )
    return lint, summary


def main() -> None:
    # Keras maps a Functional graph recursively: a 5,000-layer chain needs a
    # deeper stack than Python's default.
    sys.setrecursionlimit(100_000)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="NASNetMobile only")
    args = parser.parse_args()

    names = ["NASNetMobile"] if args.quick else list(APPLICATION_SIZES)
    print(
        f"{'model':18s} {'layers':>6s} {'lint ms':>8s} {'summary ms':>10s} "
        f"{'summary/lint':>12s}"
    )
    for name in names:
        size = APPLICATION_SIZES[name]
        model = getattr(keras.applications, name)(
            weights=None, input_shape=(size, size, 3)
        )
        lint, summary = measure(model, args.repeats)
        print(
            f"{name:18s} {len(model.layers):6d} {lint * 1e3:8.1f} "
            f"{summary * 1e3:10.1f} {summary / lint:11.0f}x"
        )

    per_layer = {}
    for count in (500, 5000):
        model = chain(count)
        lint, summary = measure(model, args.repeats)
        per_layer[count] = lint
        print(
            f"chain_{count:<12d} {count:6d} {lint * 1e3:8.1f} {summary * 1e3:10.1f} "
            f"{summary / lint:11.0f}x   {lint / count * 1e3:.4f} ms/layer"
        )
    print(
        f"5,000 / 500 layers: x{per_layer[5000] / per_layer[500]:.1f} "
        "(linear would be x10)"
    )


if __name__ == "__main__":
    main()
