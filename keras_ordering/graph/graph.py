"""The neutral directed graph of layer nodes that every rule runs on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .node import Node


class Graph:
    """A directed graph of `Node`s, pure Python.

    Model inputs and outputs are nodes too, of kinds `"input"` and
    `"output"`, so a rule can say "reaches a model output". Build one with
    `add_node` and `add_edge`; adapters in `from_keras` and `from_config` do
    that for you.

    Attributes:
        name: the model's name.
        nodes: all nodes; `nodes[i].index == i`.
        successors / predecessors: adjacency lists by node index.
        attrs: model-level facts, e.g. whether the source was a subclassed
            model traced on dummy inputs.
    """

    def __init__(self, name: str = "model", attrs: Mapping[str, Any] | None = None):
        self.name = name
        self.nodes: list[Node] = []
        self.successors: list[list[int]] = []
        self.predecessors: list[list[int]] = []
        self.attrs: dict[str, Any] = dict(attrs or {})
        self._by_kind: dict[str, list[int]] = defaultdict(list)

    def add_node(
        self,
        kind: str,
        path: str,
        layer_class: str,
        part: str | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> int:
        index = len(self.nodes)
        self.nodes.append(Node(index, kind, path, layer_class, part, attrs or {}))
        self.successors.append([])
        self.predecessors.append([])
        self._by_kind[kind].append(index)
        return index

    def add_edge(self, source: int, target: int) -> None:
        if target not in self.successors[source]:
            self.successors[source].append(target)
            self.predecessors[target].append(source)

    def of_kind(self, kinds: Iterable[str]) -> list[int]:
        """Indices of the nodes of the given kinds, in insertion order."""
        found: list[int] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return sorted(found)

    @property
    def inputs(self) -> list[int]:
        return list(self._by_kind.get("input", ()))

    @property
    def outputs(self) -> list[int]:
        return list(self._by_kind.get("output", ()))

    @property
    def opaque(self) -> list[Node]:
        """Nodes the rules cannot see through (custom layers, Lambda)."""
        return [self.nodes[i] for i in self._by_kind.get("unknown", ())]

    def __len__(self) -> int:
        return len(self.nodes)

    def signature(self) -> list[tuple]:
        """A comparable description, used to check live and static parity."""
        return [
            (
                node.kind,
                node.path,
                node.layer_class,
                node.part,
                tuple(sorted((k, repr(v)) for k, v in node.attrs.items())),
                tuple(self.nodes[s].path for s in self.successors[node.index]),
            )
            for node in self.nodes
        ]

    def __repr__(self) -> str:
        return f"<Graph {self.name!r}: {len(self.nodes)} nodes>"
