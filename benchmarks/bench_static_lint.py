"""Static file lint: its speed against loading the model, and its scaling.

Run: python benchmarks/bench_static_lint.py [--repeats N] [--skip-load]
     (from the repository root; PYTHONPATH=. to time a checkout that is not
     the installed copy)
     [--sizes 2000 5000 10000] [--dropouts 2000 3000] [--nested 16 30]

1. Load versus lint. Saves NASNetMobile (no weights download) to a temporary
   .keras file, then times, side by side and interleaved, the wall time of
   `python -m keras_ordering lint FILE` and of a process that only runs
   `keras.saving.load_model(FILE)`. Both include interpreter start.
2. Scaling, in this process. Synthetic Functional configs (no keras needed):
   a chain of N layers listed in order, in reverse order and shuffled; and K
   Dropouts before one BatchNormalization. For each: the time to build the
   graph from the config, the time to lint it, and the size of the text and
   JSON reports. The ratios reverse / listed and shuffled / listed show
   whether the reader depends on the listing order.
3. Nested models called twice at every level, `m_k = m_{k-1}(m_{k-1}(x))`
   (2**k calls of m_0 if each call were expanded): at each depth, saved by
   Keras as `.keras` and as JSON. The wall time of `lint_file` on each (the
   static path), of `lint_model` on the live model, and of the CLI process
   (`python -m keras_ordering lint FILE`, interpreter start included), with
   the graph's node count.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Dense -> BN -> ReLU -> Dropout: the recommended order, so a chain of these
# gives no finding and measures the reader and the rules, not the output.
CHAIN_CYCLE = (
    ("Dense", {"units": 16, "use_bias": False, "activation": "linear"}),
    ("BatchNormalization", {"axis": -1}),
    ("ReLU", {}),
    ("Dropout", {"rate": 0.1}),
)


def _tensor(source: str) -> dict[str, Any]:
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": [None, 16],
            "dtype": "float32",
            "keras_history": [source, 0, 0],
        },
    }


def _layer(class_name: str, name: str, settings: dict, source: str) -> dict[str, Any]:
    return {
        "module": "keras.layers",
        "class_name": class_name,
        "config": {"name": name, **settings},
        "name": name,
        "inbound_nodes": [{"args": [_tensor(source)], "kwargs": {}}],
    }


def _functional(layers: list[dict[str, Any]], last: str) -> dict[str, Any]:
    input_layer = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 16], "dtype": "float32", "name": "input"},
        "name": "input",
        "inbound_nodes": [],
    }
    return {
        "class_name": "Functional",
        "config": {
            "name": "synthetic",
            "layers": [input_layer, *layers],
            "input_layers": [["input", 0, 0]],
            "output_layers": [[last, 0, 0]],
        },
    }


def chain_config(size: int, order: str = "listed", seed: int = 0) -> dict[str, Any]:
    """A Functional chain of `size` layers, listed in order, reversed or shuffled."""
    layers = []
    source = "input"
    for index in range(size):
        class_name, settings = CHAIN_CYCLE[index % len(CHAIN_CYCLE)]
        name = f"{class_name.lower()}_{index}"
        layers.append(_layer(class_name, name, settings, source))
        source = name
    if order == "reverse":
        layers.reverse()
    elif order == "shuffled":
        random.Random(seed).shuffle(layers)
    elif order != "listed":
        raise ValueError(f"unknown order {order!r}")
    return _functional(layers, source)


def dropouts_before_batchnorm_config(dropouts: int) -> dict[str, Any]:
    """Dense, then `dropouts` Dropout layers in a row, then one BN and a head."""
    layers = [_layer("Dense", "dense", {"units": 16}, "input")]
    source = "dense"
    for index in range(dropouts):
        layers.append(_layer("Dropout", f"dropout_{index}", {"rate": 0.1}, source))
        source = f"dropout_{index}"
    layers.append(_layer("BatchNormalization", "bn", {}, source))
    layers.append(_layer("Dense", "head", {"units": 2}, "bn"))
    return _functional(layers, "head")


def wall_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True)
    return time.perf_counter() - start


def load_versus_lint(repeats: int) -> None:
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
        for _ in range(repeats):  # Interleaved, so load drifts hit both.
            lint_times.append(wall_seconds(lint))
            load_times.append(wall_seconds(load))
    lint_median = statistics.median(lint_times)
    load_median = statistics.median(load_times)
    print(
        f"static lint of NASNetMobile.keras: {lint_median:.3f} s (median of "
        f"{repeats}, interpreter start included)"
    )
    print(f"keras.saving.load_model:           {load_median:.3f} s")
    print(f"load_model / static lint: x{load_median / lint_median:.0f}")


def time_shape(config: dict[str, Any], repeats: int) -> dict[str, Any]:
    """Times of graph building and lint; sizes of the reports.

    CPU time (`time.process_time`) is what the reader and the rules cost; on
    a shared machine the wall time also holds the waits for a core.
    """
    from keras_ordering.graph.from_config import graph_from_config
    from keras_ordering.lint.api import lint_graph
    from keras_ordering.lint.registry import resolve

    rules = resolve(None, None, None, "standard")
    times: dict[str, list[float]] = {"build": [], "lint": [], "wall": []}
    for _ in range(repeats):
        wall, start = time.perf_counter(), time.process_time()
        graph = graph_from_config(config)
        middle = time.process_time()
        report = lint_graph(graph, rules)
        times["build"].append(middle - start)
        times["lint"].append(time.process_time() - middle)
        times["wall"].append(time.perf_counter() - wall)
    return {
        **times,
        "findings": len(report),
        "text_bytes": len(str(report).encode()),
        "json_bytes": len(report.to_json().encode()),
    }


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} [{min(times):.3f}-{max(times):.3f}]"


def scaling(sizes: list[int], dropouts: list[int], repeats: int) -> None:
    print(
        f"\nscaling (in process; seconds, median [min-max] of {repeats}; build = "
        "graph from config, lint = default rules, both CPU time; wall = both)"
    )
    print(
        f"{'shape':34s} {'build (cpu)':22s} {'lint (cpu)':22s} {'wall':22s} "
        "findings  text / JSON bytes"
    )
    for size in sizes:
        totals = {}
        for order in ("listed", "reverse", "shuffled"):
            result = time_shape(chain_config(size, order), repeats)
            totals[order] = statistics.median(
                [
                    b + lint
                    for b, lint in zip(result["build"], result["lint"], strict=True)
                ]
            )
            _print_row(f"chain of {size:,} layers, {order}", result)
        print(
            f"  cpu reverse / listed: x{totals['reverse'] / totals['listed']:.2f}, "
            f"shuffled / listed: x{totals['shuffled'] / totals['listed']:.2f}"
        )
    for count in dropouts:
        result = time_shape(dropouts_before_batchnorm_config(count), repeats)
        _print_row(f"{count:,} Dropouts before one BN", result)


def _print_row(label: str, result: dict[str, Any]) -> None:
    print(
        f"{label:34s} {_spread(result['build']):22s} {_spread(result['lint']):22s} "
        f"{_spread(result['wall']):22s} {result['findings']:8d}  "
        f"{result['text_bytes']:,} / {result['json_bytes']:,}"
    )


def doubly_nested_model(depth: int) -> Any:
    """m_0 is Dense -> Dropout -> BN; m_k = m_{k-1}(m_{k-1}(x)), k <= depth."""
    import keras
    from keras import layers

    inputs = keras.Input((4,))
    x = layers.Dropout(0.5)(layers.Dense(4)(inputs))
    model = keras.Model(inputs, layers.BatchNormalization()(x), name="m0")
    for level in range(1, depth + 1):
        inputs = keras.Input((4,))
        model = keras.Model(inputs, model(model(inputs)), name=f"m{level}")
    return model


def _wall(run: Any, argument: Any, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(argument)
        times.append(time.perf_counter() - start)
    return times


def nested_models(depths: list[int], repeats: int) -> None:
    from keras_ordering import lint_file, lint_model
    from keras_ordering.graph.from_keras import graph_from_model

    print(
        f"\nnested models m_k = m_(k-1)(m_(k-1)(x)) (wall seconds, median "
        f"[min-max] of {repeats}; CLI includes interpreter start)"
    )
    print(
        f"{'depth':6s} {'nodes':>6s} {'file':>9s}  {'lint_file .keras':22s} "
        f"{'lint_file .json':22s} {'lint_model (live)':22s} {'CLI .keras':22s}"
    )
    for depth in depths:
        model = doubly_nested_model(depth)
        with tempfile.TemporaryDirectory() as directory:
            keras_path = Path(directory) / f"nested_{depth}.keras"
            json_path = Path(directory) / f"nested_{depth}.json"
            model.save(keras_path)
            json_path.write_text(model.to_json())
            keras_times = _wall(lint_file, keras_path, repeats)
            json_times = _wall(lint_file, json_path, repeats)
            live_times = _wall(lint_model, model, repeats)
            cli = [sys.executable, "-m", "keras_ordering", "lint", str(keras_path)]
            cli_times = [wall_seconds([*cli, "--isolated"]) for _ in range(repeats)]
            size = keras_path.stat().st_size
        print(
            f"{depth:<6d} {len(graph_from_model(model)):6d} {size / 1024:7.0f} KB "
            f"{_spread(keras_times):22s} {_spread(json_times):22s} "
            f"{_spread(live_times):22s} {_spread(cli_times):22s}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--skip-load", action="store_true", help="only the scaling shapes"
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 10000])
    parser.add_argument("--dropouts", type=int, nargs="*", default=[2000, 3000])
    parser.add_argument("--nested", type=int, nargs="*", default=[16, 30])
    args = parser.parse_args()
    if not args.skip_load:
        load_versus_lint(args.repeats)
    if args.sizes or args.dropouts:
        scaling(args.sizes, args.dropouts, min(args.repeats, 3))
    if args.nested:
        nested_models(args.nested, args.repeats)


if __name__ == "__main__":
    main()
