"""Preflight's cost against training steps, on a mid-size CNN.

Run: python benchmarks/bench_preflight.py [--repeats N] [--batch 32]
     [--baseline REV] [--user-code]
     (from the repository root; PYTHONPATH=. to time a checkout that is not
     the installed copy; KERAS_BACKEND=jax / torch for the other backends)

Builds a CIFAR-sized CNN (four Conv2D -> BN -> ReLU blocks, pooling,
dropout, a softmax head; about 0.3 M weights; with `--user-code` its
ReLUs are a user's layer, so preflight audits the training flag and runs
an inference pass) and compiles it. Each of
`repeats` runs (after one warm-up run, not counted) builds a fresh model
and times, in this order, in one process:

- `preflight(model, x, y)` on the fresh model, as before `fit` (its
  optimizer not built yet), with the time of each phase;
- the first `train_on_batch` (cold: it builds the train function);
- one more `train_on_batch` (warm);
- `lint_model(model)` alone, and `preflight` again on the trained model;
- the eager floor, on another fresh model: the least any eager check of
  these rules runs on this model (a training pass under the tape or
  autograd and the backward pass of the compiled loss; on JAX the
  training pass and backward under `jax.value_and_grad`), without
  preflight's checks, interception or state restore. Without
  `--user-code` the model is all Keras' own layers, which follow
  `training` by construction: preflight runs no training-flag audit, and
  so no inference pass, on it; with `--user-code` the floor stays the
  same two passes, and preflight adds the audit's inference pass.

It prints the medians and spreads (min-max), the ratios preflight / warm
step and preflight / cold step, issue 24's figure (preflight - lint_model)
/ warm step (preflight's cost beyond the static lint, in training steps;
median and spread over the runs), the
phase breakdown, the machine and its load (`os.getloadavg`: the machine
may be shared, and a loaded one stretches every figure).

`--baseline REV` times, instead, this checkout's `preflight` against REV's
(imported as `keras_ordering_baseline`, as `bench_lint_compare.py` does),
each on its own fresh model, in alternating order, `repeats` pairs: the
medians of both, the median of the paired ratios and its spread, in wall
time and in the process's CPU time (`time.process_time`, all threads: it
does not count waiting for a core, but neither does it credit work done in
parallel).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The functions of `keras_ordering.preflight_run` timed as phases (the
# underscored passes and step: their names before preflight_passes.py).
PHASES = {
    "graph_from_model": "graph (trace the model)",
    "lint_graph": "static lint rules",
    "read_batches": "data reading",
    "kept_state": "state save (restore: in 'rest')",
    "run_passes": "training pass (+ audit and its inference pass; tape)",
    "_forward": "two passes + training-flag audit",
    "inference_pass": "inference pass (a rule asked)",
    "_output_facts": "output facts (KO306 loss per sample)",
    "_input_facts": "input facts",
    "gradient_step": "loss and gradients (backward only on TF/torch)",
    "_gradient_step": "loss and gradients (one step, no update)",
}


# `--user-code`: the ReLUs are a user's layer, as in a model with custom
# code (then preflight runs the training-flag audit and an inference pass).
USER_CODE = False


def _user_relu():
    import keras

    class UserReLU(keras.layers.Layer):
        def call(self, inputs, training=None, mask=None):
            return keras.ops.relu(inputs)

    return UserReLU()


def build_model():
    import keras

    inputs = keras.Input((32, 32, 3))
    x = inputs
    for filters in (32, 64, 128, 128):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = _user_relu()(x) if USER_CODE else keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.3)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="mid_cnn")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def _timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


@contextlib.contextmanager
def _phase_timers(totals: dict[str, float]):
    """Wraps the phase functions of `preflight_run` with timers adding to
    `totals` (seconds); the originals are put back afterwards."""
    from keras_ordering import preflight_run

    # Phases an older checkout lacks are left out (timed under 'rest').
    originals = {
        name: getattr(preflight_run, name)
        for name in PHASES
        if hasattr(preflight_run, name)
    }

    def timer(name, function):
        if name == "kept_state":

            @contextlib.contextmanager
            def wrapped_state(*args, **kwargs):
                start = time.perf_counter()
                with function(*args, **kwargs):
                    totals[name] += time.perf_counter() - start
                    yield

            return wrapped_state

        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - start

        return wrapped

    for name, function in originals.items():
        setattr(preflight_run, name, timer(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(preflight_run, name, function)


def eager_floor(model, x, y) -> None:
    """A training pass with its gradients, eagerly, as plainly as the
    backend allows: the floor under preflight's passes on this model (all
    Keras' own layers: no audit, so no inference pass either)."""
    import keras

    def loss_of(outputs):
        return keras.ops.mean(keras.losses.categorical_crossentropy(y, outputs))

    backend = keras.backend.backend()
    trainable = list(model.trainable_variables)
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of(model(x, training=True))
        gradients = tape.gradient(loss, trainable)
    elif backend == "torch":
        import torch

        with torch.enable_grad():
            loss = loss_of(model(x, training=True))
        gradients = torch.autograd.grad(loss, [v.value for v in trainable])
    else:
        import jax

        fixed = [v.value for v in model.non_trainable_variables]

        def forward(values):
            return loss_of(model.stateless_call(values, fixed, x, training=True)[0])

        _, gradients = jax.value_and_grad(forward)([v.value for v in trainable])
    for gradient in gradients:
        keras.ops.convert_to_numpy(gradient)


def _spread(values: list[float], unit: str = "s", ratio: bool = False) -> str:
    if ratio:
        return (
            f"x{statistics.median(values):.1f} "
            f"(min x{min(values):.1f}, max x{max(values):.1f})"
        )
    return (
        f"{statistics.median(values):.3f} {unit} "
        f"(min {min(values):.3f}, max {max(values):.3f})"
    )


def compare(baseline: str, repeats: int, x, y) -> dict[str, list[float]]:
    """This checkout's preflight against `baseline`'s, side by side."""
    import tempfile
    from pathlib import Path

    from bench_lint_compare import import_baseline

    from keras_ordering import preflight

    with tempfile.TemporaryDirectory() as directory:
        import_baseline(baseline, Path(directory))
        from keras_ordering_baseline import preflight as baseline_preflight

        functions = {"baseline": baseline_preflight, "this": preflight}
        times: dict[str, list[float]] = collections.defaultdict(list)
        load_before = os.getloadavg()
        for run in range(repeats + 1):
            order = ("this", "baseline") if run % 2 else ("baseline", "this")
            for name in order:
                model = build_model()
                cpu = time.process_time()
                wall = _timed(functions[name], model, x, y, batch_size=len(x))
                cpu = time.process_time() - cpu
                if run:  # Run 0 warms both up.
                    times[f"{name} wall"].append(wall)
                    times[f"{name} cpu"].append(cpu)
    print(
        f"preflight, this checkout against {baseline}: {repeats} pairs, load "
        f"average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    for clock in ("wall", "cpu"):
        for name in ("baseline", "this"):
            print(f"  {name:8s} {clock:4s} median {_spread(times[f'{name} {clock}'])}")
        ratios = [
            a / b
            for a, b in zip(
                times[f"this {clock}"], times[f"baseline {clock}"], strict=True
            )
        ]
        times[f"ratio {clock}"] = ratios
        print(
            f"  this / baseline ({clock}, paired): x{statistics.median(ratios):.2f} "
            f"(min x{min(ratios):.2f}, max x{max(ratios):.2f})"
        )
    return times


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--baseline", help="git revision to compare against")
    parser.add_argument(
        "--user-code",
        action="store_true",
        help="the ReLUs as a user's layer: preflight audits the model",
    )
    args = parser.parse_args(argv)
    global USER_CODE
    USER_CODE = args.user_code

    import keras
    import numpy as np

    from keras_ordering import lint_model, preflight, preflight_run

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (args.batch, 32, 32, 3)).astype("float32")
    y = keras.utils.to_categorical(np.arange(args.batch) % 10, 10)
    if args.baseline:
        return compare(args.baseline, args.repeats, x, y)
    load_before = os.getloadavg()
    times: dict[str, list[float]] = collections.defaultdict(list)
    phases: dict[str, list[float]] = collections.defaultdict(list)
    for run in range(args.repeats + 1):
        model = build_model()
        totals: dict[str, float] = collections.defaultdict(float)
        with _phase_timers(totals):
            fresh = _timed(preflight, model, x, y, batch_size=args.batch)
        cold = _timed(model.train_on_batch, x, y)
        warm = _timed(model.train_on_batch, x, y)
        lint = _timed(lint_model, model)
        trained = _timed(preflight, model, x, y, batch_size=args.batch)
        floor = _timed(eager_floor, build_model(), x, y)
        if run == 0:
            continue  # Warm-up: imports and first traces of the process.
        for name, value in (
            ("preflight (fresh model)", fresh),
            ("preflight (trained model)", trained),
            ("train_on_batch cold", cold),
            ("train_on_batch warm", warm),
            ("lint_model", lint),
            ("eager floor (fresh model)", floor),
        ):
            times[name].append(value)
        for name in PHASES:
            if hasattr(preflight_run, name):
                phases[name].append(totals[name])
        phases["rest"].append(fresh - sum(totals.values()))
        times["fresh / warm"].append(fresh / warm)
        times["fresh / cold"].append(fresh / cold)
        times["trained / warm"].append(trained / warm)
        # Issue 24's figure: preflight beyond the static lint, in steps.
        times["(fresh - lint) / warm"].append((fresh - lint) / warm)
        times["(trained - lint) / warm"].append((trained - lint) / warm)
        times["floor / warm"].append(floor / warm)
        times["(fresh - lint) / floor"].append((fresh - lint) / floor)
    load_after = os.getloadavg()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} CPUs, {platform.system()}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; keras "
        f"{keras.__version__}, backend {keras.backend.backend()}; batch "
        f"{args.batch}, {model.count_params()} weights, {args.repeats} runs"
        + (", ReLUs as a user's layer (audited)" if USER_CODE else "")
    )
    for name, values in times.items():
        if "/" not in name:
            print(f"{name:26s} median {_spread(values)}")
    print("preflight's phases on the fresh model (median, min-max):")
    for name, values in phases.items():
        label = PHASES.get(name, "rest (restore, rules, report)")
        print(f"  {label:42s} {_spread(values)}")
    for name in ("fresh / warm", "fresh / cold", "trained / warm"):
        what = name.replace("fresh", "preflight").replace("trained", "preflight")
        print(
            f"{what} train_on_batch ({name.split()[0]} model): "
            f"{_spread(times[name], ratio=True)}"
        )
    for model_kind in ("fresh", "trained"):
        name = f"({model_kind} - lint) / warm"
        print(
            f"(preflight - lint_model) / warm train_on_batch ({model_kind} "
            f"model, issue 24's figure): {_spread(times[name], ratio=True)}"
        )
    print(
        "eager floor / warm train_on_batch (training pass with gradients, "
        f"fresh model): {_spread(times['floor / warm'], ratio=True)}"
    )
    print(
        "(preflight - lint_model) / eager floor (fresh models): "
        f"{_spread(times['(fresh - lint) / floor'], ratio=True)}"
    )
    return times


if __name__ == "__main__":
    main()
