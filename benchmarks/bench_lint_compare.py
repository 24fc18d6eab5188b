"""Lint time of this checkout against another git revision, side by side.

Run: python benchmarks/bench_lint_compare.py [--baseline main] [--rounds 5]
     [--repeats 5] [--model NASNetMobile]

The baseline revision's `keras_ordering` is extracted with `git archive` into
a temporary directory as `keras_ordering_baseline` and imported next to this
checkout's package, so both lint the same model objects in one process.
Rounds alternate between the two; each round prints the ratio of the median
times, and the summary gives the median ratio and its spread over rounds.
`--timer thread` times the CPU of the linting thread (`time.thread_time`)
instead of the wall clock: on a machine shared with other jobs it leaves out
the time spent waiting for a core, which scatters wall-clock ratios.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from keras_ordering import lint_model  # noqa: E402
from tests.applications import APPLICATION_SIZES  # noqa: E402


def import_baseline(revision: str, directory: Path):
    """`keras_ordering` at `revision`, imported as `keras_ordering_baseline`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "keras_ordering"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    (directory / "keras_ordering").rename(directory / "keras_ordering_baseline")
    sys.path.insert(0, str(directory))
    return importlib.import_module("keras_ordering_baseline").lint_model


TIMERS = {"wall": time.perf_counter, "thread": time.thread_time}


def median_seconds(function, repeats: int, timer=time.perf_counter) -> float:
    timings = []
    for _ in range(repeats):
        start = timer()
        function()
        timings.append(timer() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision")
    parser.add_argument("--model", default="NASNetMobile", choices=APPLICATION_SIZES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--timer", choices=TIMERS, default="wall")
    args = parser.parse_args()

    size = APPLICATION_SIZES[args.model]
    model = getattr(keras.applications, args.model)(
        weights=None, input_shape=(size, size, 3)
    )
    with tempfile.TemporaryDirectory() as directory:
        baseline_lint = import_baseline(args.baseline, Path(directory))
        baseline_lint(model)  # Warm-up: first-call imports.
        lint_model(model)
        ratios = []
        print(
            f"{args.model}, {len(model.layers)} layers; baseline {args.baseline}; "
            f"timer {args.timer}; load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'round':>5s} {'baseline ms':>12s} {'this ms':>8s} {'ratio':>6s}")
        for round_index in range(args.rounds):
            timer = TIMERS[args.timer]
            baseline = median_seconds(lambda: baseline_lint(model), args.repeats, timer)
            current = median_seconds(lambda: lint_model(model), args.repeats, timer)
            ratios.append(current / baseline)
            print(
                f"{round_index + 1:5d} {baseline * 1e3:12.1f} {current * 1e3:8.1f} "
                f"{current / baseline:6.2f}"
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(
        f"this / baseline: median x{statistics.median(ratios):.2f} "
        f"(min x{min(ratios):.2f}, max x{max(ratios):.2f} over {len(ratios)} rounds)"
    )


if __name__ == "__main__":
    main()
