"""One node of the neutral graph: a layer call, or one part of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, init=False)
class Node:
    """A layer call seen by the rules.

    A layer that does several things becomes a chain of nodes sharing its
    `path`: `Dense(activation="relu")` is a weight node then an activation
    node (`part="activation"`), and `BNActDropout` is batch-norm, activation
    and noise nodes.

    Attributes:
        index: position in `Graph.nodes`.
        kind: one of `graph.kinds.KINDS`.
        path: the layer name, prefixed by the names of enclosing models and
            wrappers: `"outer/inner"`.
        layer_class: the class name the layer taxonomy knows it by, e.g.
            `"Conv2D"`; for a subclass of a known class, that class
            (`attrs["subclass"]` names the subclass itself).
        part: which part of a multi-part layer this node is, or `None`.
        attrs: normalized facts the rules use (activation name, rate, ...).
    """

    index: int
    kind: str
    path: str
    layer_class: str
    part: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        index: int,
        kind: str,
        path: str,
        layer_class: str,
        part: str | None = None,
        attrs: Mapping[str, Any] | None = None,
    ):
        # The dataclass's own frozen `__init__` sets each field through
        # `object.__setattr__`; the slots' setters are faster, and a graph
        # makes one node per layer call.
        _set_index(self, index)
        _set_kind(self, kind)
        _set_path(self, path)
        _set_layer_class(self, layer_class)
        _set_part(self, part)
        _set_attrs(self, {} if attrs is None else attrs)

    @property
    def name(self) -> str:
        """The layer's own name, without enclosing models."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def class_name(self) -> str:
        """The layer's own class name: the subclass for a subclass of a
        known class (`"MyBatchNorm"`), else `layer_class`."""
        return str(self.attrs.get("subclass") or self.layer_class)

    def describe(self) -> str:
        """`Dropout 'drop1'`, or `BNActDropout 'block' (noise)` for a part."""
        part = f" ({self.part})" if self.part else ""
        return f"{self.class_name} '{self.path}'{part}"


_set_index, _set_kind, _set_path, _set_layer_class, _set_part, _set_attrs = (
    vars(Node)[name].__set__
    for name in ("index", "kind", "path", "layer_class", "part", "attrs")
)
