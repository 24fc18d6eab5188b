"""Dumps every node (kind, path, class, part, attrs) and edge of the graphs of
the real-model corpus, keras.applications and the keras-hub test backbones,
live and from config, to compare two checkouts node for node.

Run (from a checkout's root, which it imports `tests` from):
    PYTHONPATH=. python benchmarks/dump_graphs.py OUT.json [corpus,apps,hub]
    python benchmarks/dump_graphs.py --compare A.json B.json
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections.abc import Callable
from typing import Any


def dump(graph: Any) -> dict[str, Any]:
    nodes = [
        [
            n.index,
            n.kind,
            n.path,
            n.layer_class,
            n.part,
            sorted((k, repr(v)) for k, v in n.attrs.items()),
        ]
        for n in graph.nodes
    ]
    edges = [[s, t] for s, ts in enumerate(graph.successors) for t in ts]
    return {"nodes": nodes, "edges": edges, "attrs": repr(sorted(graph.attrs.items()))}


def dump_all(which: list[str]) -> dict[str, Any]:
    import keras

    from keras_ordering.graph.from_config import graph_from_config
    from keras_ordering.graph.from_keras import graph_from_model

    out: dict[str, Any] = {}

    def record(name: str, make: Callable[[], dict[str, Any]]) -> None:
        try:
            out[name] = make()
        except Exception as error:
            out[name] = {"error": f"{type(error).__name__}: {error}"}
        print(name, len(out[name].get("nodes", [])), flush=True)

    def both(name: str, model: Any, live_only: bool = False) -> None:
        record(f"{name} live", lambda: dump(graph_from_model(model)))
        if not live_only:
            config = json.loads(model.to_json())
            record(f"{name} config", lambda: dump(graph_from_config(config)))

    if "corpus" in which:
        from tests.lint.corpus import real_models

        for info in sorted(pkgutil.iter_modules(real_models.__path__)):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{real_models.__name__}.{info.name}")
            keras.backend.clear_session()  # Layer names independent of order.
            both(f"corpus/{info.name}", module.build())
    if "apps" in which:
        from tests.applications import APPLICATION_SIZES

        for name, size in APPLICATION_SIZES.items():
            keras.backend.clear_session()
            application = getattr(keras.applications, name)
            both(f"apps/{name}", application(weights=None, input_shape=(size, size, 3)))
    if "hub" in which:
        from tests.graph.test_keras_hub import BACKBONES

        for name, make in BACKBONES.items():
            keras.backend.clear_session()
            both(f"hub/{name}", make(), live_only=True)
    return out


def compare(first: str, second: str) -> None:
    with open(first) as a, open(second) as b:
        old, new = json.load(a), json.load(b)
    differ = [
        key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)
    ]
    for key in differ:
        print(
            "differs:", key, "(only in one)" if key not in old or key not in new else ""
        )
    print(f"{len(old)} graphs in {first}, {len(new)} in {second}, {len(differ)} differ")


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        parts = (
            sys.argv[2].split(",") if len(sys.argv) > 2 else ["corpus", "apps", "hub"]
        )
        with open(sys.argv[1], "w") as file:
            json.dump(dump_all(parts), file)
