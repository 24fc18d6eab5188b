"""Static file lint versus loading the model, both as fresh processes.

Run: python benchmarks/bench_static_lint.py [--repeats N]

Saves NASNetMobile (no weights download) to a temporary .keras file, then
times, side by side and interleaved, the wall time of
`python -m keras_ordering lint FILE` and of a process that only runs
`keras.saving.load_model(FILE)`. Both include interpreter start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def wall_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import keras

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "NASNetMobile.keras"
        keras.applications.NASNetMobile(weights=None).save(path)
        lint = [sys.executable, "-m", "keras_ordering", "lint", str(path), "--isolated"]
        load = [
            sys.executable,
            "-c",
            f"import keras; keras.saving.load_model({str(path)!r})",
        ]
        lint_times, load_times = [], []
        for _ in range(args.repeats):  # Interleaved, so load drifts hit both.
            lint_times.append(wall_seconds(lint))
            load_times.append(wall_seconds(load))
    lint_median = statistics.median(lint_times)
    load_median = statistics.median(load_times)
    print(
        f"static lint of NASNetMobile.keras: {lint_median:.3f} s (median of "
        f"{args.repeats}, interpreter start included)"
    )
    print(f"keras.saving.load_model:           {load_median:.3f} s")
    print(f"load_model / static lint: x{load_median / lint_median:.0f}")


if __name__ == "__main__":
    main()
