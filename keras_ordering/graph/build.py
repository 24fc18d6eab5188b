"""One graph builder for live models and saved configs. No keras import.

Both adapters (`from_keras` for a live model, `from_config` for a saved
config) describe a model as a small view: `ModelView` lists its layer calls,
each a `CallView` of one `LayerView` (class, settings, nested model or
wrapped layer). `Builder` turns that view into the neutral `Graph`. Nesting,
wrappers, `training=` propagation and output facts are written here once, so
a saved model and the live one give identical graphs.

Size. A nested model called more than once is one set of layers in the file
but one expansion per call in the graph; a model built as
`m_k = m_{k-1}(m_{k-1}(x))` would give 2**k nodes. So each nested model is
expanded in full at its first call (per `training=` context), and again at
later calls only while the layer calls walked stay within `REPEAT_FACTOR`
times the calls the model lists (every nested model counted once) plus
`REPEAT_SLACK`. Past that, a later call is one opaque node that names the call it
repeats: its layers' findings are those of the expanded call, reported once.
The graph is then linear in the size of the model, and a graph of more than
`MAX_NODES` nodes is refused with a one-line `GraphTooLargeError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

from . import expand, identity, kinds
from .graph import Graph

Producers = list[int]  # Neutral node indices whose outputs form one tensor.

# The most nodes a graph may have; a larger model is refused, not linted.
MAX_NODES = 500_000
# Layer calls walked, at most this many times the calls the model lists
# plus `REPEAT_SLACK`, before later calls of a nested model become one node:
# small models are always expanded in full, large ones stay linear.
REPEAT_FACTOR = 4
REPEAT_SLACK = 1_000


class GraphTooLargeError(ValueError):
    """The graph of a model would pass `MAX_NODES` nodes."""


@dataclass(slots=True)
class LayerView:
    """One layer, as either adapter sees it.

    Attributes:
        name: the layer's name (the last part of its graph path).
        layer_class: its class name.
        attrs: the raw settings `expand.expand` reads.
        key: the same for every call of this layer (the layer object, or its
            entry of the config): calls of one nested model are told by it.
        nested: the model it is, for a nested Sequential or Functional model.
        wrapped: the layer it wraps (`TimeDistributed`, `Bidirectional`, a
            `keras.layers.Wrapper` read from its config).
        operation: a tensor operation recorded in a Functional graph
            (`x + y`): a node with no settings.
        config: the saved layer config (file path only), for the facts a
            Sequential config gives no tensor shape for.
        source: the adapter's own layer (the live Keras layer).
        custom: the adapter may analyse its call itself (`custom_leaf`; live:
            a custom layer with sublayers, or a Lambda, is traced).
    """

    name: str
    layer_class: str
    attrs: Mapping[str, Any] = field(default_factory=dict)
    key: Hashable = None
    nested: ModelView | None = None
    wrapped: LayerView | None = None
    operation: bool = False
    config: Mapping[str, Any] | None = None
    source: Any = None
    custom: bool = False


@dataclass(slots=True)
class CallView:
    """One call of a layer in a Functional model.

    Attributes:
        layer: the layer called.
        inputs: the keys of the tensors it reads, in argument order.
        outputs: the adapter's handle on the tensors it writes.
        kwargs: the call's hard-coded call arguments (`training=`), if any.
        input_shapes: the shapes of the tensors it reads, where known.
        arguments: the adapter's own record of the call (live: Keras' node
            arguments, for tracing a custom layer).
    """

    layer: LayerView
    inputs: list[Hashable]
    outputs: Any
    kwargs: Mapping[str, Any]
    input_shapes: list[Any]
    arguments: Any = None
    done: bool = False  # Set by the builder once the call's outputs are stored.


class ModelView(Protocol):
    """A Sequential or Functional model, as either adapter sees it."""

    key: Hashable
    sequential: bool

    def calls(self) -> Iterator[CallView]:
        """Its layer calls in dependency order (Sequential: in order)."""
        ...

    def input_keys(self) -> list[Hashable]:
        """The keys of its input tensors (Functional)."""
        ...

    def output_keys(self) -> list[Hashable]:
        """The keys of its output tensors (Functional)."""
        ...

    def store(
        self, tensors: dict[Hashable, Producers], call: CallView, outputs: list
    ) -> None:
        """Records the producers of each output tensor of `call`."""
        ...

    def read(self, tensors: dict[Hashable, Producers], key: Hashable) -> Any:
        """The producers of tensor `key`; None when no call made it."""
        ...

    def listed(self) -> tuple[int, list[ModelView]]:
        """The number of layer calls it lists, and its nested models."""
        ...

    def input_last_dim(self) -> int | None:
        """The size of the input's last axis, when only the config tells."""
        ...


def call_arguments(kwargs: Mapping[str, Any] | None, path: str) -> dict[str, Any]:
    """The hard-coded call arguments `expand.expand` reads (`training=`) of a
    call's keyword arguments, and the path of the call that set them."""
    if not kwargs or not isinstance(kwargs, Mapping):
        return {}
    found = {
        name: kwargs[name]
        for name in expand.CALL_ARGUMENT_NAMES
        if isinstance(kwargs.get(name), bool)
    }
    return {**found, "call": path} if found else {}


class Builder:
    """Adds the nodes of model views to one graph."""

    def __init__(self, graph: Graph):
        self.graph = graph
        # (nested model key, training context) -> (path, layer calls) of
        # its first expansion.
        self._expanded: dict[Hashable, tuple[str, int]] = {}
        self._calls_walked = 0  # Layer calls walked in model views.
        self._budget: int | None = None  # Set at the first repeated call.
        self._root: ModelView | None = None

    # --- Models ------------------------------------------------------------

    def add_input_nodes(self, names: Sequence[str]) -> list[Producers]:
        return [
            [self.graph.add_node(kinds.INPUT, name, "InputLayer")] for name in names
        ]

    def model(
        self,
        view: ModelView,
        input_producers: list[Producers],
        prefix: str,
        enclosing_call: dict[str, Any] | None = None,
    ) -> list[Producers]:
        """The producers of each output of one call of a model view."""
        if self._root is None:
            self._root = view
        if view.sequential:
            merged = _merged(input_producers)
            return [self._chain(view, merged, prefix, enclosing_call or {})]
        return self._walk(view, input_producers, prefix, enclosing_call)

    def _walk(
        self,
        view: ModelView,
        input_producers: list[Producers],
        prefix: str,
        enclosing_call: dict[str, Any] | None,
    ) -> list[Producers]:
        tensors: dict[Hashable, Producers] = {}
        for key, group in zip(view.input_keys(), input_producers, strict=False):
            tensors[key] = group
        read, store, add_call = view.read, view.store, self.call
        for call in view.calls():
            groups = [read(tensors, key) for key in call.inputs]
            if None in groups:
                continue  # It reads a tensor its producer never made.
            self._calls_walked += 1
            if enclosing_call:
                arguments = enclosing_call
            elif call.kwargs:
                arguments = call_arguments(call.kwargs, prefix + call.layer.name)
            else:
                arguments = {}
            outputs = add_call(
                call.layer,
                groups,
                prefix,
                call.input_shapes,
                arguments,
                arguments=call.arguments,
            )
            store(tensors, call, outputs or [])
            call.done = True
        return [view.read(tensors, key) or [] for key in view.output_keys()]

    def _chain(
        self,
        view: ModelView,
        producers: Producers,
        prefix: str,
        enclosing_call: dict[str, Any],
    ) -> Producers:
        """A Sequential model. A config stores no per-layer shapes there, so
        the size of the last axis is carried along for softmax layers."""
        current = producers
        last_dim = view.input_last_dim()
        for call in view.calls():
            self._calls_walked += 1
            layer = call.layer
            shape = call.input_shapes[0] if call.input_shapes else None
            if _is_single_shape(shape):
                last_dim = shape[-1]
            outputs = self.call(
                layer, [current], prefix, call.input_shapes, enclosing_call, last_dim
            )
            current = outputs[0] if outputs else []
            last_dim = output_last_dim(layer, last_dim)
        return current

    # --- Layer calls -------------------------------------------------------

    def call(
        self,
        layer: LayerView,
        producers: list[Producers],
        prefix: str,
        input_shapes: list[Any],
        call: dict[str, Any] | None = None,
        last_dim: int | None = None,
        arguments: Any = None,
    ) -> list[Producers] | None:
        """One call of `layer`: its producers per output, None if unknown.

        `call` holds its hard-coded call arguments (`training`), or those of
        an enclosing model call, which win, as in Keras.
        """
        path = prefix + layer.name
        merged = _merged(producers)
        call = call or {}
        if len(self.graph.nodes) > MAX_NODES:
            raise GraphTooLargeError(
                f"the model's graph passes {MAX_NODES:,} nodes (at layer "
                f"{path!r}); it is too large to lint"
            )
        if layer.nested is not None:
            return self.nested(layer, producers, path, call)
        if layer.wrapped is not None:
            inner = layer.wrapped
            inner_path = f"{path}/{inner.name}"
            if inner.nested is not None:  # TimeDistributed(Sequential(...))
                return self.nested(inner, producers, inner_path, call)
            attrs = {**inner.attrs, **expand.call_attributes(call, path)}
            return [self.graph.add_layer(inner.layer_class, inner_path, attrs, merged)]
        if layer.operation:
            attrs = identity.operation_attributes(layer.attrs, len(producers))
            if input_shapes and input_shapes[0] is not None:
                attrs["input_shape"] = input_shapes[0]
            return [self.graph.add_layer(layer.layer_class, path, attrs, merged)]
        # An ordinary layer goes straight to `leaf`: one call less per node.
        leaf = self.custom_leaf if layer.custom else self.leaf
        return leaf(
            layer,
            producers,
            path,
            input_shapes,
            call,
            last_dim,
            arguments,
            None,
            merged,
        )

    def custom_leaf(
        self,
        layer: LayerView,
        producers: list[Producers],
        path: str,
        input_shapes: list[Any],
        call: dict[str, Any],
        last_dim: int | None,
        arguments: Any,
        extra: Mapping[str, Any] | None = None,
        merged: Producers | None = None,
    ) -> list[Producers] | None:
        """A layer the adapter marked `custom` (live: one it may trace);
        `leaf` unless the adapter says otherwise."""
        return self.leaf(
            layer,
            producers,
            path,
            input_shapes,
            call,
            last_dim,
            arguments,
            extra,
            merged,
        )

    def leaf(
        self,
        layer: LayerView,
        producers: list[Producers],
        path: str,
        input_shapes: list[Any],
        call: dict[str, Any],
        last_dim: int | None,
        arguments: Any,
        extra: Mapping[str, Any] | None = None,
        merged: Producers | None = None,
    ) -> list[Producers] | None:
        """A layer that is one node or a chain of them (`expand.expand`);
        `merged` is its producers merged, when the caller has them."""
        # As {**layer.attrs, **call's, **extra, "tensor_inputs": n}, without
        # the empty merges of an ordinary call.
        attrs = dict(layer.attrs)
        if call:
            attrs.update(expand.call_attributes(call, path))
        if extra:
            attrs.update(extra)
        attrs["tensor_inputs"] = len(producers)
        shape = input_shapes[0] if input_shapes else None
        if shape is None and layer.config is not None:
            shape = (layer.config.get("build_config") or {}).get("input_shape")
        if shape is not None:
            attrs["input_shape"] = shape
        elif last_dim is not None:
            attrs["last_dim"] = last_dim
        return [
            self.graph.add_layer(
                layer.layer_class,
                path,
                attrs,
                _merged(producers) if merged is None else merged,
            )
        ]

    def nested(
        self,
        layer: LayerView,
        producers: list[Producers],
        path: str,
        call: dict[str, Any],
    ) -> list[Producers]:
        """One call of a nested model: expanded below `path`, or one node
        that repeats an earlier call once the graph would grow past linear."""
        view = layer.nested
        assert view is not None
        context = (view.key, tuple(sorted(expand.call_attributes(call, "").items())))
        first = self._expanded.get(context)
        if first is not None and not self._may_repeat(view, first[1]):
            return [self._repeat(layer, path, first[0], producers)]
        before = self._calls_walked
        outputs = self.model(view, producers, path + "/", call)
        if first is None:
            self._expanded[context] = (path, self._calls_walked - before)
        return outputs

    def _may_repeat(self, view: ModelView, calls: int) -> bool:
        if self._budget is None:
            # A traced model has no root view: its nested model tells.
            listed = listed_calls(self._root or view)
            self._budget = REPEAT_FACTOR * listed + REPEAT_SLACK
        return self._calls_walked + calls <= self._budget

    def _repeat(
        self, layer: LayerView, path: str, first_path: str, producers: list[Producers]
    ) -> Producers:
        reason = (
            f"a later call of the nested model analysed at its call "
            f"'{first_path}': past the size budget, a nested model's layers "
            "are not repeated per call (docs/linter-graph.md)"
        )
        index = self.graph.add_node(
            kinds.UNKNOWN,
            path,
            layer.layer_class,
            attrs={"repeats": first_path, "opaque_reason": reason},
        )
        self.graph.connect(_merged(producers), index)
        return [index]


def listed_calls(view: ModelView) -> int:
    """The layer calls a model lists, each nested model counted once: the
    size of its file, in calls."""
    seen: set[Hashable] = set()
    total = 0
    stack = [view]
    while stack:
        calls, nested_views = stack.pop().listed()
        total += calls
        for nested in nested_views:
            if nested.key not in seen:
                seen.add(nested.key)
                stack.append(nested)
    return total


def output_last_dim(layer: LayerView, last_dim: int | None) -> int | None:
    """Size of the last axis after `layer`, when a config alone tells it."""
    config: Mapping[str, Any] = (
        layer.config["config"]
        if layer.config is not None and isinstance(layer.config.get("config"), Mapping)
        else {}
    )
    if layer.config is None or config.get("data_format") == "channels_first":
        return None
    if kinds.keeps_last_axis(layer.layer_class):
        return last_dim
    if layer.layer_class in kinds.AFFINE_WEIGHT_CLASSES:
        units = config.get("units", config.get("filters"))
        return units if isinstance(units, int) else None
    if layer.layer_class == "Reshape":
        target = list(config.get("target_shape") or [])
        return target[-1] if _is_single_shape(target) else None
    return None


def _is_single_shape(shape: Any) -> TypeGuard[list[int | None]]:
    return (
        isinstance(shape, list)
        and bool(shape)
        and all(d is None or isinstance(d, int) for d in shape)
    )


def _merged(producers: Sequence[Producers]) -> Producers:
    if len(producers) == 1 and len(producers[0]) == 1:
        return list(producers[0])  # The common case: one tensor, one producer.
    return sorted(set(itertools.chain.from_iterable(producers)))
