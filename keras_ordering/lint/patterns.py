"""`LayerPattern`: which graph nodes a rule step accepts.

In the style of tfmot's `LayerPattern`: a node is described by its kind and,
optionally, facts of its attributes, never by ad-hoc code in a rule.
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


# The patterns rules are written with: one per node kind.
WEIGHT = LayerPattern({kinds.WEIGHT})
BATCH_NORM = LayerPattern({kinds.BATCH_NORM})
NORMALIZATION = LayerPattern({kinds.NORMALIZATION})
NOISE = LayerPattern({kinds.NOISE})
ACTIVATION = LayerPattern({kinds.ACTIVATION})
POOL = LayerPattern({kinds.POOL})
SHAPE = LayerPattern({kinds.SHAPE})
MERGE = LayerPattern({kinds.MERGE})
OUTPUT = LayerPattern({kinds.OUTPUT})


def any_of(*patterns: LayerPattern) -> LayerPattern:
    """Nodes of any of the given plain kind patterns."""
    return LayerPattern(frozenset().union(*(p.kinds for p in patterns)))
