"""The neutral directed graph of layer nodes that every rule runs on."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import kinds
from .expand import expand
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
        # heads_and_tails() of the graph as it is; any new node or edge clears it.
        self._heads_and_tails: (
            tuple[dict[str, list[int]], dict[str, list[int]]] | None
        ) = None

    def add_node(
        self,
        kind: str,
        path: str,
        layer_class: str,
        part: str | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> int:
        self._heads_and_tails = None
        index = len(self.nodes)
        self.nodes.append(Node(index, kind, path, layer_class, part, attrs or {}))
        self.successors.append([])
        self.predecessors.append([])
        self._by_kind[kind].append(index)
        return index

    def add_edge(self, source: int, target: int) -> None:
        self._heads_and_tails = None
        if target not in self.successors[source]:
            self.successors[source].append(target)
            self.predecessors[target].append(source)

    def connect(self, sources: Iterable[int], target: int) -> None:
        for source in sources:
            self.add_edge(source, target)

    def add_layer(
        self,
        layer_class: str,
        path: str,
        attrs: Mapping[str, Any],
        sources: Iterable[int],
    ) -> list[int]:
        """Adds the chain of nodes one layer call becomes (`expand.expand`).

        Returns the index of its last node, as a one-element list: the
        producers of the call's output.
        """
        # `add_node` and `connect`, inlined: this runs once per layer call.
        # A new node has no edges yet, so each source is added once.
        self._heads_and_tails = None
        nodes, successors, predecessors = self.nodes, self.successors, self.predecessors
        by_kind = self._by_kind
        current = list(dict.fromkeys(sources))
        for kind, part, part_attrs in expand(layer_class, attrs):
            index = len(nodes)
            nodes.append(Node(index, kind, path, layer_class, part, part_attrs))
            successors.append([])
            predecessors.append(current)
            by_kind[kind].append(index)
            for source in current:
                successors[source].append(index)
            current = [index]
        return current

    def add_outputs(
        self,
        producers: Sequence[Iterable[int]],
        names: Sequence[str],
        losses: Sequence[Mapping[str, Any] | None],
    ) -> None:
        """Adds one output node per model output, numbered in order, with the
        facts of the loss compiled on it (from `losses.losses_per_output`)."""
        for index, (sources, name) in enumerate(zip(producers, names, strict=True)):
            attrs: dict[str, Any] = {"index": index, **(losses[index] or {})}
            self.connect(
                sources, self.add_node(kinds.OUTPUT, name, "Output", attrs=attrs)
            )

    def of_kind(self, kind_names: Iterable[str]) -> list[int]:
        """Indices of the nodes of the given kinds, in insertion order."""
        found: list[int] = []
        for kind in kind_names:
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

    def depths(self) -> list[int]:
        """Longest distance of each node from a source node (Kahn's order)."""
        indegree = [len(p) for p in self.predecessors]
        depth = [0] * len(self.nodes)
        ready = [i for i, d in enumerate(indegree) if d == 0]
        while ready:
            index = ready.pop()
            for successor in self.successors[index]:
                depth[successor] = max(depth[successor], depth[index] + 1)
                indegree[successor] -= 1
                if indegree[successor] == 0:
                    ready.append(successor)
        return depth

    def canonical(self) -> tuple[list[tuple], list[tuple]]:
        """Nodes and edges as sorted labels, independent of insertion order.

        Two adapters that see the same model give equal canonical forms; the
        live / static parity tests compare these.
        """

        def label(node: Node) -> tuple:
            attrs = tuple(sorted((k, repr(v)) for k, v in node.attrs.items()))
            return (node.path, node.part or "", node.kind, node.layer_class, attrs)

        labels = [label(node) for node in self.nodes]
        edges = [
            (labels[source], labels[target])
            for source, targets in enumerate(self.successors)
            for target in targets
        ]
        return sorted(labels), sorted(edges)

    # --- Queries on layer calls, for the rewrites --------------------------------
    # A layer call is one node or a chain of nodes sharing a path (its parts).

    def _same_layer(self, index: int, path: str) -> bool:
        node = self.nodes[index]
        return node.path == path and node.kind not in (kinds.INPUT, kinds.OUTPUT)

    def heads_and_tails(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Per layer path: the first and the last node of each of its calls.

        Computed once per state of the graph (rewrites ask for every finding);
        the dicts returned are shared, so callers read them only.
        """
        if self._heads_and_tails is None:
            self._heads_and_tails = self._compute_heads_and_tails()
        return self._heads_and_tails

    def _compute_heads_and_tails(
        self,
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        heads: dict[str, list[int]] = {}
        tails: dict[str, list[int]] = {}
        for node in self.nodes:
            if node.kind in (kinds.INPUT, kinds.OUTPUT):
                continue
            if not any(
                self._same_layer(p, node.path) for p in self.predecessors[node.index]
            ):
                heads.setdefault(node.path, []).append(node.index)
            if not any(
                self._same_layer(s, node.path) for s in self.successors[node.index]
            ):
                tails.setdefault(node.path, []).append(node.index)
        return heads, tails

    def head(self, path: str) -> Node:
        """The first node of the (first) call of layer `path`."""
        heads, _ = self.heads_and_tails()
        return self.nodes[heads[path][0]]

    def nodes_of_layers(self, paths: Iterable[str]) -> list[int]:
        """Indices of every node of the given layers, in insertion order."""
        wanted = set(paths)
        return [node.index for node in self.nodes if node.path in wanted]

    def sole_successor(self, path: str) -> Node | None:
        """The head node of the single-call layer that alone consumes the
        single call of `path`, or None (a branch, a merge, a shared layer or
        a model output)."""
        heads, tails = self.heads_and_tails()
        if len(tails.get(path, ())) != 1:
            return None
        tail = tails[path][0]
        successors = self.successors[tail]
        if len(successors) != 1:
            return None
        node = self.nodes[successors[0]]
        if (
            node.kind in (kinds.INPUT, kinds.OUTPUT)
            or len(heads.get(node.path, ())) != 1
        ):
            return None
        if self.predecessors[node.index] != [tail]:
            return None
        return node

    def is_linear_chain(self, paths: Iterable[str]) -> bool:
        """True when the layers form a chain of single calls, each feeding
        only the next one, so layers can move along it without touching
        other branches."""
        paths = tuple(paths)
        heads, tails = self.heads_and_tails()
        if any(len(heads.get(path, ())) != 1 for path in paths):
            return False
        for first, second in itertools.pairwise(paths):
            tail, head = tails[first][0], heads[second][0]
            if self.successors[tail] != [head] or self.predecessors[head] != [tail]:
                return False
        return True

    def every_path_ends_in(
        self,
        start: int,
        through: Callable[[Node], bool],
        end: Callable[[Node], bool],
    ) -> bool:
        """True when every path out of node `start` passes only nodes that
        `through` accepts until a node that `end` accepts.

        Example: a biased convolution whose every consumer, through shape
        layers and residual Adds, is a batch normalization. A start with no
        successor gives False; each node is visited once.
        """
        if not self.successors[start]:
            return False
        seen = {start}
        stack = [start]
        while stack:
            for successor in self.successors[stack.pop()]:
                if successor in seen:
                    continue
                seen.add(successor)
                node = self.nodes[successor]
                if end(node):
                    continue
                if not through(node):
                    return False
                stack.append(successor)
        return True

    def call_site(self, index: int) -> str:
        """Where the call holding node `index` gets its input: `"tower on x"`.

        The call is that of the node's outermost enclosing layer or model
        (the first part of its path); its input is the nearest layer
        upstream outside it. A shared sub-model called on two inputs gives
        two call sites, which tell its two calls apart.
        """
        owner = self.nodes[index].path.split("/", 1)[0]
        seen = {index}
        frontier = [index]
        while frontier:
            next_frontier = []
            for current in frontier:
                for predecessor in self.predecessors[current]:
                    if predecessor in seen:
                        continue
                    seen.add(predecessor)
                    path = self.nodes[predecessor].path
                    if path.split("/", 1)[0] != owner:
                        return f"{owner} on {path}"
                    next_frontier.append(predecessor)
            frontier = next_frontier
        return f"{owner} at node {index}"

    def __repr__(self) -> str:
        return f"<Graph {self.name!r}: {len(self.nodes)} nodes>"
