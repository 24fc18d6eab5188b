"""Preflight's cost against training steps, on a mid-size CNN.

Run: python benchmarks/bench_preflight.py [--repeats N] [--batch 32]
     (from the repository root; PYTHONPATH=. to time a checkout that is not
     the installed copy; KERAS_BACKEND=jax / torch for the other backends)

Builds a CIFAR-sized CNN (four Conv2D -> BN -> ReLU blocks, pooling,
dropout, a softmax head; about 0.3 M weights), compiles it, and takes one
`train_on_batch` so the train function exists. Then, interleaved in one
process, it times `repeats` times each: one warm `train_on_batch` on the
same batch, `lint_model(model)` (the static lint alone) and
`preflight(model, x, y)`. It prints the medians, the spread (min-max) and
the ratio preflight / one warm training step, with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def build_model():
    import keras

    inputs = keras.Input((32, 32, 3))
    x = inputs
    for filters in (32, 64, 128, 128):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.3)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="mid_cnn")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from keras_ordering import lint_model, preflight

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (args.batch, 32, 32, 3)).astype("float32")
    y = keras.utils.to_categorical(np.arange(args.batch) % 10, 10)
    model = build_model()
    first = _timed(lambda: model.train_on_batch(x, y))
    times: dict[str, list[float]] = {"train_on_batch": [], "lint": [], "preflight": []}
    for _ in range(args.repeats):
        times["train_on_batch"].append(_timed(lambda: model.train_on_batch(x, y)))
        times["lint"].append(_timed(lambda: lint_model(model)))
        times["preflight"].append(
            _timed(lambda: preflight(model, x, y, batch_size=args.batch))
        )
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} CPUs, {platform.system()}; keras {keras.__version__}, "
        f"backend {keras.backend.backend()}; batch {args.batch}, "
        f"{model.count_params()} weights, {args.repeats} repeats"
    )
    print(f"first train_on_batch (builds the train function): {first:.3f} s")
    for name, values in times.items():
        print(
            f"{name:15s} median {statistics.median(values):.3f} s  "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    step = statistics.median(times["train_on_batch"])
    pairs = zip(times["preflight"], times["train_on_batch"], strict=True)
    ratios = [p / t for p, t in pairs]
    extra = statistics.median(times["preflight"]) - statistics.median(times["lint"])
    print(
        f"preflight / one warm train_on_batch: median "
        f"x{statistics.median(ratios):.1f} (min x{min(ratios):.1f}, "
        f"max x{max(ratios):.1f}); (preflight - lint) / step: x{extra / step:.1f}"
    )
    return times


if __name__ == "__main__":
    main()
