"""BNActDropout (fast path) versus Keras BatchNormalization -> Activation -> Dropout.

Run: python benchmarks/bench_layer.py [--backend B] [--jit] [--runs R]
     [--tf-runs R] [--repeats N] [--quick] [--breakdown] [--threads N]

`--backend` (tensorflow, jax or torch; default: KERAS_BACKEND, else
tensorflow) chooses the Keras backend. Both candidates run side by side in
this process, interleaved run by run.

On TensorFlow without `--jit` the layers run as compiled tf.functions; each
figure is a median over `--repeats` runs (at least 7), and `--tf-runs R`
repeats that R times (fresh layers each time) to give the ratios' median
and range. Per configuration it prints

    train xA  infer xB  infer/one-pass C

- train: a training step (forward, backward to the inputs and to gamma/beta,
  moving-statistics update), Keras time / BNActDropout time;
- infer: inference, Keras time / BNActDropout time;
- infer/one-pass: BNActDropout inference time / the time of one elementwise
  ReLU pass over the same tensor, the memory-bandwidth floor.

On JAX and PyTorch, and on TensorFlow with `--jit` (`jit_compile=True`),
each candidate is a Keras model (the layers, then a GlobalAveragePooling2D
head for rank-4 inputs and an MSE loss) timed with `train_on_batch` and
`predict_on_batch` (what users run), compiled with `jit_compile=--jit`.
`--runs` independent rounds of `--repeats` interleaved steps each give one
ratio per round; the median over the rounds is printed with its range.

Every run ends with one `SUMMARY` line (backend, machine, load, ratios) that
is easy to paste into docs/performance.md.

`--threads N` (PyTorch) runs both candidates on N intra-op threads: on a
shared machine one thread shows the work each step does, free of the
waits of torch's thread pool for a busy core.

`--breakdown` also times the pieces of the TensorFlow fast path's training
step.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
BACKENDS = ("tensorflow", "jax", "torch")


def _backend_from_argv(argv: list[str]) -> str:
    """--backend must be known before keras is imported."""
    for index, arg in enumerate(argv):
        if arg == "--backend" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--backend="):
            return arg.split("=", 1)[1]
    return os.environ.get("KERAS_BACKEND", "tensorflow")


if __name__ == "__main__":
    os.environ["KERAS_BACKEND"] = _backend_from_argv(sys.argv[1:])

import keras  # noqa: E402

from keras_ordering import BNActDropout  # noqa: E402

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

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


def machine() -> str:
    """The machine, for the summary line."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{platform.machine()} {os.cpu_count()} CPUs, load {load}, "
        f"python {platform.python_version()}, keras {keras.__version__}"
    )


def _sync(value) -> None:
    keras.ops.convert_to_numpy(keras.tree.flatten(value)[0])


def model_of(layers: list, shape, jit: bool) -> keras.Model:
    inputs = keras.Input(shape[1:])
    x = inputs
    for layer in layers:
        x = layer(x)
    # A pooling head keeps the loss's own passes small (one reduction), as
    # the tf.function step's reduce_sum does: the ratio is the layers'.
    if len(shape) == 4:
        x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, x)
    model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
    return model


def bench_models(shape, activation, rate, policy, jit, runs, repeats) -> dict:
    """Per-round ratios of train_on_batch and predict_on_batch, Keras / fused."""
    keras.config.set_dtype_policy(policy)
    try:
        models = [
            model_of(keras_sequence(activation, rate, policy), shape, jit),
            model_of([BNActDropout(activation, rate, dtype=policy)], shape, jit),
        ]
    finally:
        keras.config.set_dtype_policy("float32")
    rng = __import__("numpy").random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    y = keras.ops.convert_to_numpy(models[0].predict_on_batch(x))

    def timed(function) -> float:
        start = time.perf_counter()
        _sync(function())
        return time.perf_counter() - start

    steps = {
        "train": [lambda m=m: m.train_on_batch(x, y) for m in models],
        "infer": [lambda m=m: m.predict_on_batch(x) for m in models],
    }
    for pair in steps.values():  # Trace, compile and warm up.
        for function in pair:
            for _ in range(3):
                function()
    ratios: dict[str, list[float]] = {"train": [], "infer": []}
    times: dict[str, list[float]] = {"train": [], "infer": []}
    for _ in range(runs):
        for kind, (stock, fused) in steps.items():
            stock_times, fused_times = [], []
            for _ in range(repeats):
                stock_times.append(timed(stock))
                fused_times.append(timed(fused))
            stock_median = statistics.median(stock_times)
            fused_median = statistics.median(fused_times)
            ratios[kind].append(stock_median / fused_median)
            times[kind].extend([stock_median, fused_median])
    return {"ratios": ratios, "times": times}


def _spread(values: list[float]) -> str:
    return (
        f"x{statistics.median(values):.2f} "
        f"(x{min(values):.2f}-x{max(values):.2f} over {len(values)} runs)"
    )


def _threads(args) -> str:
    return f" threads={args.threads}" if args.threads else ""


def main_models(args, grid) -> None:
    backend = keras.backend.backend()
    print(
        f"{backend}, jit_compile={args.jit}{_threads(args)}: "
        "train_on_batch / predict_on_batch, "
        f"{args.runs} runs of {args.repeats} interleaved steps; {machine()}"
    )
    for shape, activation, rate, policy in grid:
        result = bench_models(
            shape, activation, rate, policy, args.jit, args.runs, args.repeats
        )
        ratios, times = result["ratios"], result["times"]
        line = (
            f"{shape!s:18s} {activation:4s} rate {rate:.1f} {policy:14s} "
            f"train {_spread(ratios['train'])}  infer {_spread(ratios['infer'])}"
        )
        print(
            line + f"   (ms, median: keras "
            f"{statistics.median(times['train'][::2]) * 1e3:.1f}/"
            f"{statistics.median(times['infer'][::2]) * 1e3:.1f}, fused "
            f"{statistics.median(times['train'][1::2]) * 1e3:.1f}/"
            f"{statistics.median(times['infer'][1::2]) * 1e3:.1f})"
        )
        print(
            f"SUMMARY bench_layer backend={backend} jit_compile={args.jit}"
            f"{_threads(args)} "
            f"shape={shape} {activation} rate={rate} {policy}: "
            f"train {_spread(ratios['train'])}, infer {_spread(ratios['infer'])}; "
            f"{machine()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        help="Keras backend (default: KERAS_BACKEND, else tensorflow)",
    )
    parser.add_argument(
        "--jit", action="store_true", help="jit_compile=True (model-level timing)"
    )
    parser.add_argument("--runs", type=int, default=5, help="model-level rounds")
    parser.add_argument(
        "--tf-runs",
        type=int,
        default=1,
        help="tf.function path: independent runs, each a median of --repeats",
    )
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one shape (56x56x64 on TF, 28x28x64 model-level), relu, 0.2, float32",
    )
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="PyTorch only: torch.set_num_threads(N) for both candidates "
        "(0: torch's default)",
    )
    args = parser.parse_args()
    if args.threads and keras.backend.backend() == "torch":
        import torch

        torch.set_num_threads(args.threads)
    repeats = max(7, args.repeats)
    if keras.backend.backend() != "tensorflow" or args.jit:
        # Model-level steps are slower: 7 steps per round unless told.
        args.repeats = (
            7 if args.repeats == parser.get_default("repeats") else args.repeats
        )
        args.repeats = max(5, args.repeats)
        args.runs = max(1, args.runs)
        if args.quick:
            grid = [((32, 28, 28, 64), "relu", 0.2, "float32")]
        else:
            grid = list(itertools.product(SHAPES, ACTIVATIONS, RATES, POLICIES))
        main_models(args, grid)
        return
    if args.quick:
        grid = [((32, 56, 56, 64), "relu", 0.2, "float32")]
    else:
        grid = list(itertools.product(SHAPES, ACTIVATIONS, RATES, POLICIES))
    runs = max(1, args.tf_runs)
    print(
        f"keras {keras.__version__}, tensorflow {tf.__version__}, "
        f"{os.cpu_count()} CPUs, {runs} run(s) of medians of {repeats} "
        "interleaved steps"
    )
    for shape, activation, rate, policy in grid:
        ratios: dict[str, list[float]] = {"train": [], "infer": []}
        for _ in range(runs):
            r = bench(shape, activation, rate, policy, repeats)
            ratios["train"].append(r["stock_train"] / r["fused_train"])
            ratios["infer"].append(r["stock_infer"] / r["fused_infer"])
            print(
                f"{shape!s:18s} {activation:4s} rate {rate:.1f} {policy:14s} "
                f"train x{ratios['train'][-1]:.2f}  "
                f"infer x{ratios['infer'][-1]:.2f}  "
                f"infer/one-pass {r['fused_infer'] / r['one_pass']:.2f}   "
                f"(ms: keras {r['stock_train'] * 1e3:.1f}/"
                f"{r['stock_infer'] * 1e3:.1f}, "
                f"fused {r['fused_train'] * 1e3:.1f}/{r['fused_infer'] * 1e3:.1f}, "
                f"relu pass {r['one_pass'] * 1e3:.2f})"
            )
        print(
            f"SUMMARY bench_layer backend=tensorflow tf.function shape={shape} "
            f"{activation} rate={rate} {policy}: "
            f"train {_spread(ratios['train'])}, infer {_spread(ratios['infer'])} "
            f"(each a median of {repeats}); {machine()}"
        )
    if args.breakdown:
        for shape in SHAPES[:1] if args.quick else SHAPES:
            breakdown(shape, repeats)


if __name__ == "__main__":
    main()
