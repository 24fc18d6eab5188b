"""BNActDropout (fast path) versus Keras BatchNormalization -> Activation -> Dropout.

Run: python benchmarks/bench_layer.py [--repeats N] [--quick] [--breakdown]

Both candidates run side by side in this process, as compiled tf.functions,
interleaved run by run; each figure is a median over `--repeats` runs (at
least 7). Per configuration it prints

    train xA  infer xB  infer/one-pass C

- train: a training step (forward, backward to the inputs and to gamma/beta,
  moving-statistics update), Keras time / BNActDropout time;
- infer: inference, Keras time / BNActDropout time;
- infer/one-pass: BNActDropout inference time / the time of one elementwise
  ReLU pass over the same tensor, the memory-bandwidth floor.

`--breakdown` also times the pieces of the fast path's training step.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import tensorflow as tf

from keras_ordering import BNActDropout

SHAPES = [(32, 56, 56, 64), (32, 28, 28, 128), (256, 1024), (1024, 1024)]
ACTIVATIONS = ["relu", "gelu"]
RATES = [0.0, 0.2]
POLICIES = ["float32", "mixed_bfloat16"]


def keras_sequence(activation: str, rate: float, policy: str) -> list:
    return [
        keras.layers.BatchNormalization(dtype=policy),
        keras.layers.Activation(activation, dtype=policy),
        keras.layers.Dropout(rate, dtype=policy),
    ]


def train_step(layers: list, x: tf.Tensor, upstream: tf.Tensor):
    variables = [v for layer in layers for v in layer.trainable_variables]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for layer in layers:
                y = layer(y, training=True)
            loss = tf.reduce_sum(tf.cast(y, tf.float32) * upstream)
        return tape.gradient(loss, [x, *variables])

    return step


def infer_step(layers: list, x: tf.Tensor):
    @tf.function
    def step():
        y = x
        for layer in layers:
            y = layer(y, training=False)
        return y

    return step


def run_once(function) -> float:
    start = time.perf_counter()
    outputs = function()
    for output in tf.nest.flatten(outputs):
        output.numpy()  # Wait for the result.
    return time.perf_counter() - start


def interleaved_medians(functions: list, repeats: int) -> list[float]:
    for function in functions:  # Trace and warm up.
        run_once(function)
        run_once(function)
    timings: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for index, function in enumerate(functions):
            timings[index].append(run_once(function))
    return [statistics.median(t) for t in timings]


def bench(shape, activation, rate, policy, repeats) -> dict[str, float]:
    dtype = keras.DTypePolicy(policy).compute_dtype
    x = tf.cast(tf.random.normal(shape), dtype)
    upstream = tf.random.normal(shape)
    stock = keras_sequence(activation, rate, policy)
    fused = [BNActDropout(activation, rate, dtype=policy)]
    for layers in (stock, fused):
        y = x
        for layer in layers:
            y = layer(y)  # Build.
    relu_pass = tf.function(lambda: tf.nn.relu(x))
    stock_train, fused_train, stock_infer, fused_infer, one_pass = interleaved_medians(
        [
            train_step(stock, x, upstream),
            train_step(fused, x, upstream),
            infer_step(stock, x),
            infer_step(fused, x),
            relu_pass,
        ],
        repeats,
    )
    return {
        "stock_train": stock_train,
        "fused_train": fused_train,
        "stock_infer": stock_infer,
        "fused_infer": fused_infer,
        "one_pass": one_pass,
    }


def breakdown(shape, repeats) -> None:
    """Times the pieces of the fast path's float32 relu training step."""
    x = tf.random.normal(shape)
    channels = shape[-1]
    rank4 = x if len(shape) == 4 else tf.reshape(x, [shape[0], 1, 1, channels])
    gamma, beta = tf.ones([channels]), tf.zeros([channels])
    empty = tf.constant([], tf.float32)
    seed = tf.constant([1, 2], tf.int32)
    size = int(tf.size(x))

    def fused_bn():
        return tf.raw_ops.FusedBatchNormV3(
            x=rank4,
            scale=gamma,
            offset=beta,
            mean=empty,
            variance=empty,
            epsilon=1e-3,
            is_training=True,
            data_format="NHWC",
        )[0]

    pieces = {
        "one relu pass": lambda: tf.nn.relu(x),
        "FusedBatchNormV3 training forward": fused_bn,
        "8-bit mask draw": lambda: tf.random.stateless_uniform(
            [size // 4], seed, minval=None, maxval=None, dtype=tf.uint32
        ),
        "float32 mask draw (Keras)": lambda: tf.random.stateless_uniform([size], seed),
        "bytes < threshold": lambda: (
            tf.random.stateless_uniform(
                [size // 4], seed, minval=None, maxval=None, dtype=tf.uint32
            )
            < 205
        ),
        "select(mask, relu(y), 0)": lambda: tf.where(x > 0.1, tf.nn.relu(x), 0.0),
    }
    names = list(pieces)
    medians = interleaved_medians([tf.function(pieces[n]) for n in names], repeats)
    print(f"  breakdown at {shape}, float32:")
    for name, median in zip(names, medians, strict=True):
        print(f"    {name:36s} {median * 1e3:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--quick", action="store_true", help="conv shape, relu, rate 0.2, float32 only"
    )
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    repeats = max(7, args.repeats)
    if args.quick:
        grid = [((32, 56, 56, 64), "relu", 0.2, "float32")]
    else:
        grid = list(itertools.product(SHAPES, ACTIVATIONS, RATES, POLICIES))
    print(
        f"keras {keras.__version__}, tensorflow {tf.__version__}, "
        f"{os.cpu_count()} CPUs, medians of {repeats} interleaved runs"
    )
    for shape, activation, rate, policy in grid:
        r = bench(shape, activation, rate, policy, repeats)
        print(
            f"{shape!s:18s} {activation:4s} rate {rate:.1f} {policy:14s} "
            f"train x{r['stock_train'] / r['fused_train']:.2f}  "
            f"infer x{r['stock_infer'] / r['fused_infer']:.2f}  "
            f"infer/one-pass {r['fused_infer'] / r['one_pass']:.2f}   "
            f"(ms: keras {r['stock_train'] * 1e3:.1f}/{r['stock_infer'] * 1e3:.1f}, "
            f"fused {r['fused_train'] * 1e3:.1f}/{r['fused_infer'] * 1e3:.1f}, "
            f"relu pass {r['one_pass'] * 1e3:.2f})"
        )
    if args.breakdown:
        for shape in SHAPES[:1] if args.quick else SHAPES:
            breakdown(shape, repeats)


if __name__ == "__main__":
    main()
