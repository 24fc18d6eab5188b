"""The patterns rules are written with, in one module.

- `LayerPattern`: which graph nodes a rule step accepts. In the style of
  tfmot's `LayerPattern`: a node is described by its kinds and, optionally,
  a `where` predicate on its attributes.
- `PathPattern`: a start node, then any number of pass-through nodes, then
  an end. Every rule is one of these: "noise, then any of {shape, pool,
  activation, merge}, then batch-norm". Matching walks the graph forward
  from each start node, so a rule never loops over the graph itself.

What a path pattern cannot say (a fork, a condition across nodes) a rule
checks in its `accept` hook, and a rule may lower its severity per finding
in `severity_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..graph import kinds
from ..graph.graph import Graph
from ..graph.node import Node

NodePredicate = Callable[[Node], bool]


@dataclass(frozen=True)
class LayerPattern:
    """Matches nodes of some kinds, optionally only those a predicate accepts.

    Example: `LayerPattern({"pool"}, where=lambda n: n.attrs["pool"] == "max")`.

    Attributes:
        kinds: the node kinds accepted (`graph.kinds`).
        where: an optional predicate on the node.
    """

    kinds: frozenset[str]
    where: NodePredicate | None = field(default=None, compare=False)

    def __init__(self, kinds: Iterable[str], where: NodePredicate | None = None):
        object.__setattr__(self, "kinds", frozenset(kinds))
        object.__setattr__(self, "where", where)

    def matches(self, node: Node) -> bool:
        return node.kind in self.kinds and (self.where is None or self.where(node))


# The patterns rules are written with: one per node kind. Named `*_NODE` so
# they never shadow the kind names of `graph.kinds` (`kinds.WEIGHT` is a str).
WEIGHT_NODE = LayerPattern({kinds.WEIGHT})
BATCH_NORM_NODE = LayerPattern({kinds.BATCH_NORM})
NORMALIZATION_NODE = LayerPattern({kinds.NORMALIZATION})
NOISE_NODE = LayerPattern({kinds.NOISE})
ACTIVATION_NODE = LayerPattern({kinds.ACTIVATION})
POOL_NODE = LayerPattern({kinds.POOL})
SHAPE_NODE = LayerPattern({kinds.SHAPE})
MERGE_NODE = LayerPattern({kinds.MERGE})
OUTPUT_NODE = LayerPattern({kinds.OUTPUT})


def any_of(*patterns: LayerPattern) -> LayerPattern:
    """Nodes that any of the given patterns matches, `where` filters included."""
    accepted = frozenset().union(*(pattern.kinds for pattern in patterns))
    if all(pattern.where is None for pattern in patterns):
        return LayerPattern(accepted)
    return LayerPattern(
        accepted, where=lambda node: any(p.matches(node) for p in patterns)
    )


@dataclass(frozen=True)
class PathPattern:
    """`start -> through* -> end`, or a single node when `end` is None.

    Attributes:
        start: the first node of the path.
        end: the last node of the path; None matches `start` alone.
        through: nodes a path may pass through between start and end; None
            means start and end must be adjacent.
        max_through: at most this many pass-through nodes (None: unbounded).
        through_start: whether a path may pass through another node that
            `start` matches. By default it stops there: in a stack of
            dropouts before a BN, the dropout nearest the BN is the one
            reported (the stack is KO108's finding), so N stacked noise
            layers give N short paths, not N paths of length N.
    """

    start: LayerPattern
    end: LayerPattern | None = None
    through: LayerPattern | None = None
    max_through: int | None = None
    through_start: bool = False

    def matches(self, graph: Graph) -> Iterator[tuple[int, ...]]:
        """Yields each matching path as node indices, once per (start, end)."""
        where = self.start.where  # `of_kind` has checked the kinds.
        ends: frozenset[int] | None = None
        if self.end is not None:
            # The nodes a path may end at, judged once per graph rather than
            # once per visit; a graph with none needs no walk at all.
            ends = self._ends(graph)
            if not ends:
                return
        for start in graph.of_kind(self.start.kinds):
            if where is not None and not where(graph.nodes[start]):
                continue
            if ends is None:
                yield (start,)
                continue
            yield from self._paths_from(graph, start, ends)

    def _ends(self, graph: Graph) -> frozenset[int]:
        end = self.end
        assert end is not None
        candidates = graph.of_kind(end.kinds)
        if end.where is None:
            return frozenset(candidates)
        nodes, where = graph.nodes, end.where
        return frozenset(index for index in candidates if where(nodes[index]))

    def _paths_from(
        self, graph: Graph, start: int, ends: frozenset[int]
    ) -> Iterator[tuple[int, ...]]:
        # Breadth first, so each end is reached by its shortest path; each
        # node is expanded once, so a start costs O(nodes reached).
        limit = self.max_through if self.through is not None else 0
        parents: dict[int, int | None] = {start: None}
        frontier = [start]
        depth = 0
        ends_found: set[int] = set()
        # The patterns' `matches`, inlined: this loop runs once per edge.
        through = self.through
        through_kinds = through.kinds if through is not None else frozenset()
        through_where = through.where if through is not None else None
        start_kinds, start_where = self.start.kinds, self.start.where
        nodes, successors = graph.nodes, graph.successors
        while frontier:
            next_frontier = []
            for index in frontier:
                for successor in successors[index]:
                    if successor in parents:
                        continue
                    if successor in ends:
                        if successor not in ends_found:
                            ends_found.add(successor)
                            yield (*_trace_back(parents, index), successor)
                        continue
                    node = nodes[successor]
                    if (
                        node.kind in through_kinds
                        and (limit is None or depth < limit)
                        and (through_where is None or through_where(node))
                        and (
                            self.through_start
                            or node.kind not in start_kinds
                            or (start_where is not None and not start_where(node))
                        )
                    ):
                        parents[successor] = index
                        next_frontier.append(successor)
            frontier = next_frontier
            depth += 1


def _trace_back(parents: dict[int, int | None], index: int) -> tuple[int, ...]:
    path = [index]
    while (parent := parents[path[-1]]) is not None:
        path.append(parent)
    return tuple(reversed(path))
