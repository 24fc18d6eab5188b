"""`LayerPattern`: which graph nodes a rule step accepts.

In the style of tfmot's `LayerPattern`: a node is described by its kinds and,
optionally, a `where` predicate on its attributes. What a path pattern
cannot say (a fork, a condition across nodes) a rule checks in its `accept`
hook, and a rule may lower its severity per finding in `severity_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..graph import kinds
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
