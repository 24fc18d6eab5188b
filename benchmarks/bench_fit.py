"""model.fit end to end: a small CNN with BNActDropout versus Keras' three layers.

Run: python benchmarks/bench_fit.py [--backend B] [--jit {0,1}] [--epochs N]
     [--samples N] [--batch-size N] [--policy P]

Without `--backend` it runs itself once per installed backend (TensorFlow,
JAX, PyTorch) and per `jit_compile` setting (False, True), each in a fresh
process, and prints one `SUMMARY` line per case and a table. With
`--backend` (and `--jit`) it measures that one case.

In each case the two models share one architecture (a MobileNet-style stack
of depthwise and pointwise convolutions, each followed by BN -> ReLU ->
Dropout) and are trained side by side in one process, one epoch each in
turn, on the same synthetic data. It prints the median samples/s of each
over the timed epochs (the first epoch of each, which traces and compiles,
is not timed), the ratio of the medians, and the range of the per-epoch
ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

INPUT_SHAPE = (32, 32, 3)
CLASSES = 10
RATE = 0.2
BACKENDS = ("tensorflow", "jax", "torch")


def block(x, use_fused: bool, name: str):
    import keras

    from keras_ordering import BNActDropout

    if use_fused:
        return BNActDropout("relu", RATE, name=name)(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.Dropout(RATE, name=f"{name}_dropout")(x)


def small_cnn(use_fused: bool):
    import keras

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


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{platform.machine()} {os.cpu_count()} CPUs, load {load}"


def measure(args) -> None:
    """One backend and jit_compile setting, in this process."""
    import keras
    import numpy as np

    keras.config.set_dtype_policy(args.policy)
    rng = np.random.default_rng(0)
    images = rng.normal(size=(args.samples, *INPUT_SHAPE)).astype("float32")
    labels = rng.integers(0, CLASSES, args.samples)
    jit = bool(args.jit)

    models = {}
    for use_fused in (False, True):
        keras.utils.set_random_seed(0)
        model = small_cnn(use_fused)
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=jit,
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
    per_epoch = [f / k for f, k in zip(rates["fused"], rates["keras"], strict=True)]
    print(
        f"{keras.backend.backend()}, jit_compile={jit}, policy {args.policy}, "
        f"{args.samples} samples, batch {args.batch_size}, "
        f"median of {args.epochs} epochs each, interleaved"
    )
    print(f"keras BN -> ReLU -> Dropout: {keras_rate:8.0f} samples/s")
    print(f"BNActDropout:                {fused_rate:8.0f} samples/s")
    print(
        f"SUMMARY bench_fit backend={keras.backend.backend()} jit_compile={jit} "
        f"policy={args.policy}: fit x{fused_rate / keras_rate:.2f} "
        f"(per-epoch x{min(per_epoch):.2f}-x{max(per_epoch):.2f}, "
        f"{args.epochs} epochs; keras {keras_rate:.0f}, fused {fused_rate:.0f} "
        f"samples/s); {machine()}"
    )


def run_all(args) -> None:
    """Every installed backend, without and with jit_compile, fresh processes."""
    installed = [b for b in BACKENDS if importlib.util.find_spec(b) is not None]
    summaries = []
    for backend in installed:
        for jit in (0, 1):
            command = [
                sys.executable,
                __file__,
                "--backend",
                backend,
                "--jit",
                str(jit),
                "--epochs",
                str(args.epochs),
                "--samples",
                str(args.samples),
                "--batch-size",
                str(args.batch_size),
                "--policy",
                args.policy,
            ]
            env = {**os.environ, "KERAS_BACKEND": backend}
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False
            )
            lines = [
                line for line in done.stdout.splitlines() if line.startswith("SUMMARY")
            ]
            if done.returncode or not lines:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
                lines = [
                    f"SUMMARY bench_fit backend={backend} jit_compile="
                    f"{bool(jit)}: failed ({' '.join(tail)})"
                ]
            print(lines[0], flush=True)
            summaries.extend(lines)
    print(f"{len(summaries)} cases on {', '.join(installed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, default=None)
    parser.add_argument("--jit", type=int, choices=(0, 1), default=0)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per model")
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--policy", default="float32")
    args = parser.parse_args()
    if args.backend is None:
        run_all(args)
        return
    os.environ["KERAS_BACKEND"] = args.backend
    measure(args)


if __name__ == "__main__":
    main()
