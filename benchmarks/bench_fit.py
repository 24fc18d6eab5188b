"""model.fit end to end: a small CNN with BNActDropout versus Keras' three layers.

Run: python benchmarks/bench_fit.py [--epochs N] [--samples N] [--policy P]

The two models share one architecture (a MobileNet-style stack of depthwise
and pointwise convolutions, each followed by BN -> ReLU -> Dropout) and are
trained side by side in this process, one epoch each in turn, on the same
synthetic data. It prints the median samples/s of each over the timed
epochs (the first epoch of each, which traces, is not timed) and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from keras_ordering import BNActDropout

INPUT_SHAPE = (32, 32, 3)
CLASSES = 10
RATE = 0.2


def block(x, use_fused: bool, name: str):
    if use_fused:
        return BNActDropout("relu", RATE, name=name)(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.Dropout(RATE, name=f"{name}_dropout")(x)


def small_cnn(use_fused: bool) -> keras.Model:
    inputs = keras.Input(INPUT_SHAPE)
    x = keras.layers.Conv2D(32, 3, padding="same", use_bias=False)(inputs)
    x = block(x, use_fused, "stem")
    for index, filters in enumerate((64, 64, 128)):
        x = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
        x = block(x, use_fused, f"dw{index}")
        x = keras.layers.Conv2D(filters, 1, use_bias=False)(x)
        x = block(x, use_fused, f"pw{index}")
        if index < 2:
            x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(CLASSES)(x)
    name = "fused" if use_fused else "keras"
    return keras.Model(inputs, outputs, name=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=7, help="timed epochs per model")
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--policy", default="float32")
    args = parser.parse_args()
    keras.config.set_dtype_policy(args.policy)
    rng = np.random.default_rng(0)
    images = rng.normal(size=(args.samples, *INPUT_SHAPE)).astype("float32")
    labels = rng.integers(0, CLASSES, args.samples)

    models = {}
    for use_fused in (False, True):
        keras.utils.set_random_seed(0)
        model = small_cnn(use_fused)
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        model.fit(images, labels, batch_size=args.batch_size, epochs=1, verbose=0)
        models[model.name] = model
    rates: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.epochs):
        for name, model in models.items():  # Interleaved.
            start = time.perf_counter()
            model.fit(images, labels, batch_size=args.batch_size, epochs=1, verbose=0)
            rates[name].append(args.samples / (time.perf_counter() - start))
    keras_rate = statistics.median(rates["keras"])
    fused_rate = statistics.median(rates["fused"])
    print(
        f"policy {args.policy}, {args.samples} samples, batch {args.batch_size}, "
        f"median of {args.epochs} epochs each, interleaved"
    )
    print(f"keras BN -> ReLU -> Dropout: {keras_rate:8.0f} samples/s")
    print(f"BNActDropout:                {fused_rate:8.0f} samples/s")
    print(f"fit x{fused_rate / keras_rate:.2f}")


if __name__ == "__main__":
    main()
