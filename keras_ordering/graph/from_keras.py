"""Live Keras model -> neutral `Graph`.

The ONLY module of the package that touches Keras' private API
(`_nodes_by_depth`, `_inputs`, `_functional`, `_layers`, and the patching of
`Layer.__call__` while a subclassed model is traced). Everything it reads
goes through `graph.kinds`, exactly as the static config reader does, so a
live model and its saved file give identical graphs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
from keras.src.models.functional import Functional

from . import kinds
from .graph import Graph
from .losses import losses_per_output

Producers = list[int]  # Neutral node indices whose outputs form one tensor.


def graph_from_model(model: Any) -> Graph:
    """Builds the neutral graph of a built Keras model.

    Sequential and Functional models are read from their layer graph; nested
    models and custom layers with sublayers are flattened; subclassed models
    are traced once on zeros of their built input shape.

    Raises:
        TypeError: `model` is not a Keras model.
        ValueError: the model is not built, or has no layers.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            "lint_model expects a keras.Model (Sequential, Functional or "
            f"subclassed). Received: {type(model).__module__}."
            f"{type(model).__qualname__}"
        )
    if not model.layers:
        raise ValueError(f"Model {model.name!r} has no layers: nothing to lint.")
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built, so its layer graph is unknown. "
            "Build it first: call it on a batch (`model(x)`), call "
            "`model.build(input_shape)`, or give it a `keras.Input`."
        )
    graph = Graph(model.name)
    builder = _Builder(graph)
    functional = _functional_of(model)
    if functional is not None:
        input_producers = builder.add_inputs(
            functional.inputs, [_producer_name(t) for t in functional.inputs]
        )
        outputs = builder.walk_functional(functional, input_producers, prefix="")
        output_names = [_producer_name(t) for t in functional.outputs]
    elif isinstance(model, keras.Sequential):
        input_producers = builder.add_inputs([None], ["input"])
        outputs = [builder.chain(model.layers, input_producers[0], prefix="")]
        output_names = [model.layers[-1].name]
    else:
        graph.attrs["traced"] = True
        outputs, output_names = builder.trace_model(model)
    losses = _compiled_losses(model, output_names)
    for index, (producers, name) in enumerate(zip(outputs, output_names, strict=True)):
        attrs: dict[str, Any] = {"index": index}
        output_loss = losses[index]
        if output_loss is not None:
            attrs.update(output_loss)
        output = graph.add_node(kinds.OUTPUT, name, "Output", attrs=attrs)
        graph.connect(producers, output)
    return graph


def is_graph_model(model: Any) -> bool:
    """True for Sequential and Functional models (not subclassed ones)."""
    return isinstance(model, (keras.Sequential, Functional))


def _functional_of(model: Any) -> Functional | None:
    if isinstance(model, Functional):
        return model
    if isinstance(model, keras.Sequential):
        return getattr(model, "_functional", None)
    return None


def _producer_name(tensor: Any) -> str:
    """Name of the layer that made a symbolic tensor (an Input's own name)."""
    history = getattr(tensor, "_keras_history", None)
    if history is not None and history.operation is not None:
        return history.operation.name
    return getattr(tensor, "name", None) or "tensor"


def _compiled_losses(model: Any, output_names: list[str]) -> list[dict | None]:
    if not getattr(model, "compiled", False):
        return [None] * len(output_names)
    compile_config = model.get_compile_config() or {}
    return losses_per_output(compile_config.get("loss"), output_names)


def layer_attributes(layer: Any) -> dict[str, Any]:
    """The raw settings `kinds.expand` reads, taken from layer attributes."""
    attrs = {
        name: getattr(layer, name)
        for name in kinds.LAYER_ATTRIBUTE_NAMES
        if hasattr(layer, name)
    }
    if "noise_shape" in attrs and attrs["noise_shape"] is not None:
        attrs["noise_shape"] = tuple(attrs["noise_shape"])
    return attrs


def _shape_of(tensor: Any) -> tuple | None:
    shape = getattr(tensor, "shape", None)
    return None if shape is None else tuple(shape)


@dataclass
class _CallRecord:
    """One `Layer.__call__` seen while tracing a subclassed model."""

    layer: Any
    parent: _CallRecord | None
    inputs: list[Any]
    outputs: list[Any] = field(default_factory=list)
    children: list[_CallRecord] = field(default_factory=list)


class _Builder:
    def __init__(self, graph: Graph):
        self.graph = graph

    def add_inputs(
        self, tensors: Sequence[Any], names: Sequence[str] | None
    ) -> list[Producers]:
        names = list(names or [])
        producers = []
        for index, _ in enumerate(tensors):
            name = names[index] if index < len(names) else f"input_{index}"
            producers.append([self.graph.add_node(kinds.INPUT, name, "InputLayer")])
        return producers

    def add_call(
        self,
        layer: Any,
        producers: list[Producers],
        prefix: str,
        input_shapes: list[tuple | None],
        call_arguments: Any = None,
        enclosing_call: dict[str, Any] | None = None,
    ) -> list[Producers] | None:
        """One call of `layer`; returns producers per output, None if unknown.

        `enclosing_call` holds the call arguments (`training`) an enclosing
        model call hard-coded; they override the layer's own, as in Keras.
        """
        path = prefix + layer.name
        merged = sorted({index for group in producers for index in group})
        call = enclosing_call or _call_arguments_of(call_arguments, path)
        functional = _functional_of(layer)
        if functional is not None:
            return self.walk_functional(
                functional, producers, prefix=path + "/", enclosing_call=call
            )
        if isinstance(layer, keras.Sequential):
            return [
                self.chain(layer.layers, merged, prefix=path + "/", enclosing_call=call)
            ]
        layer_class = type(layer).__name__
        if layer_class in kinds.WRAPPER_CLASSES:
            # Bidirectional serializes its forward layer as "layer".
            inner = getattr(layer, "forward_layer", None) or layer.layer
            inner_path = f"{path}/{inner.name}"
            inner_class = type(inner).__name__
            inner_attrs = {
                **layer_attributes(inner),
                **kinds.call_attributes(call, path),
            }
            return [self.graph.add_layer(inner_class, inner_path, inner_attrs, merged)]
        attrs = {**layer_attributes(layer), **kinds.call_attributes(call, path)}
        if (
            kinds.LAYER_KINDS.get(layer_class) is None
            and layer_class != kinds.FUSED_CLASS
            and _sublayers(layer)
            and call_arguments is not None
        ):
            try:
                return self.trace_layer(layer, call_arguments, producers, path + "/")
            except Exception as error:  # An untraceable layer stays opaque.
                attrs["opaque_reason"] = f"tracing failed: {error}"
        if input_shapes and input_shapes[0] is not None:
            attrs["input_shape"] = input_shapes[0]
        return [self.graph.add_layer(layer_class, path, attrs, merged)]

    def walk_functional(
        self,
        model: Any,
        input_producers: list[Producers],
        prefix: str,
        enclosing_call: dict[str, Any] | None = None,
    ) -> list[Producers]:
        tensor_producers: dict[int, Producers] = {}
        for tensor, input_group in zip(model._inputs, input_producers, strict=False):
            tensor_producers[id(tensor)] = input_group
        for depth in sorted(model._nodes_by_depth, reverse=True):
            for node in model._nodes_by_depth[depth]:
                if node.is_input or node.operation is None:
                    continue
                inputs = node.input_tensors
                producers = [tensor_producers.get(id(t), []) for t in inputs]
                outputs = self._add_operation(
                    node.operation,
                    node,
                    producers,
                    [_shape_of(t) for t in inputs],
                    prefix,
                    enclosing_call,
                )
                for index, tensor in enumerate(node.outputs):
                    group = outputs[min(index, len(outputs) - 1)] if outputs else []
                    tensor_producers[id(tensor)] = group
        return [tensor_producers.get(id(t), []) for t in model._outputs]

    def _add_operation(
        self, operation, node, producers, input_shapes, prefix, enclosing_call
    ):
        if isinstance(operation, keras.layers.Layer):
            return self.add_call(
                operation,
                producers,
                prefix,
                input_shapes,
                call_arguments=node.arguments,
                enclosing_call=enclosing_call,
            )
        # A keras.ops call recorded in a Functional graph (`x + y`, ...).
        merged = sorted({index for group in producers for index in group})
        return [
            self.graph.add_layer(
                type(operation).__name__, prefix + operation.name, {}, merged
            )
        ]

    def chain(
        self,
        layers: Sequence[Any],
        producers: Producers,
        prefix: str,
        enclosing_call: dict[str, Any] | None = None,
    ) -> Producers:
        current = producers
        for layer in layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            outputs = self.add_call(
                layer, [current], prefix, [None], enclosing_call=enclosing_call
            )
            current = outputs[0] if outputs else []
        return current

    # --- Tracing subclassed models and custom container layers -------------

    def trace_model(self, model: Any) -> tuple[list[Producers], list[str]]:
        build_config = model.get_build_config() or {}
        input_shape = build_config.get("input_shape")
        if input_shape is None:
            raise ValueError(
                f"Model {model.name!r} has no recorded input shape to trace it "
                "with. Build it with `model.build(input_shape)` or call it on a "
                "batch first."
            )
        dummy = _zeros_like_shape(input_shape)
        flat_dummy = keras.tree.flatten(dummy)
        names = (
            [f"input_{i}" for i in range(len(flat_dummy))]
            if len(flat_dummy) > 1
            else ["input"]
        )
        input_producers = self.add_inputs(flat_dummy, names)
        with _recording_calls() as root_records:
            model(dummy, training=False)
        root = root_records[0]
        known = {id(t): p for t, p in zip(flat_dummy, input_producers, strict=True)}
        tensor_producers = self._add_records(root.children, known, prefix="")
        outputs = [tensor_producers.get(id(t), []) for t in root.outputs]
        return outputs, [f"output_{i}" for i in range(len(outputs))] if len(
            outputs
        ) > 1 else ["output"]

    def trace_layer(self, layer, call_arguments, producers, prefix):
        """Flattens one custom layer with sublayers by tracing it on zeros."""
        dummies = {
            id(t): keras.ops.zeros(_concrete(t.shape), dtype=t.dtype)
            for t in call_arguments.keras_tensors
        }
        args, kwargs = call_arguments.fill_in(dummies)
        kwargs.setdefault("training", False)
        with _recording_calls() as root_records:
            layer(*args, **kwargs)
        known = {
            id(dummies[id(t)]): group
            for t, group in zip(call_arguments.keras_tensors, producers, strict=False)
        }
        tensor_producers = self._add_records(root_records[0].children, known, prefix)
        return [tensor_producers.get(id(t), []) for t in root_records[0].outputs]

    def _add_records(
        self, records: list[_CallRecord], known: dict[int, Producers], prefix: str
    ) -> dict[int, Producers]:
        for record in records:
            producers = [known.get(id(t), []) for t in record.inputs]
            layer = record.layer
            layer_class = type(layer).__name__
            is_container = (
                record.children
                and kinds.LAYER_KINDS.get(layer_class) is None
                and layer_class not in kinds.WRAPPER_CLASSES
                and layer_class != kinds.FUSED_CLASS
            )
            if is_container:
                self._add_records(record.children, known, prefix + layer.name + "/")
                continue
            outputs = self.add_call(
                layer, producers, prefix, [_shape_of(t) for t in record.inputs]
            )
            for index, tensor in enumerate(record.outputs):
                known[id(tensor)] = outputs[min(index, len(outputs) - 1)]
        return known


def _call_arguments_of(call_arguments: Any, path: str) -> dict[str, Any]:
    """The hard-coded call arguments `kinds.expand` reads (`training=`), and
    the path of the call that set them."""
    kwargs = getattr(call_arguments, "kwargs", None) or {}
    found = {
        name: kwargs[name]
        for name in kinds.CALL_ARGUMENT_NAMES
        if isinstance(kwargs.get(name), bool)
    }
    return {**found, "call": path} if found else {}


def _sublayers(layer: Any) -> list[Any]:
    return list(getattr(layer, "_layers", None) or [])


def _concrete(shape: Sequence[int | None]) -> tuple[int, ...]:
    # Batch 1 and length 2 for unknown sizes: enough to run any layer once.
    return tuple((1 if i == 0 else 2) if d is None else d for i, d in enumerate(shape))


def _zeros_like_shape(shape: Any) -> Any:
    """Zeros for a build-config input shape: a shape, or a list / dict of them."""
    if isinstance(shape, dict):
        return {key: _zeros_like_shape(value) for key, value in shape.items()}
    if (
        isinstance(shape, (list, tuple))
        and shape
        and not all(d is None or isinstance(d, int) for d in shape)
    ):
        return [_zeros_like_shape(s) for s in shape]
    return keras.ops.zeros(_concrete(shape))


LayerCall = Callable[..., Any]


@contextlib.contextmanager
def intercepting_layer_calls(
    wrapper: Callable[[Any, LayerCall, tuple, dict, tuple], Any],
) -> Iterator[None]:
    """Routes every `Layer.__call__` through `wrapper` while the block runs.

    `wrapper(layer, call, args, kwargs, enclosing)` must return the call's
    outputs; `call(*args, **kwargs)` runs the layer, and `enclosing` holds the
    layers whose calls are in progress around this one, outermost first. The
    diagnostics observe batch-norm inputs this way, and subclassed models are
    traced with it.
    """
    stack: list[Any] = []
    original_call = keras.layers.Layer.__call__

    def intercepted_call(layer, *args, **kwargs):
        enclosing = tuple(stack)
        stack.append(layer)
        try:
            return wrapper(
                layer,
                lambda *a, **k: original_call(layer, *a, **k),
                args,
                kwargs,
                enclosing,
            )
        finally:
            stack.pop()

    keras.layers.Layer.__call__ = intercepted_call
    try:
        yield
    finally:
        keras.layers.Layer.__call__ = original_call


def call_path(layer: Any, enclosing: tuple, root: Any) -> str:
    """The graph path of a layer call: its enclosing layers, the root model
    excepted (some backends call the root's `call` directly, so it may or
    may not be on the stack)."""
    return "/".join([*(o.name for o in enclosing if o is not root), layer.name])


@contextlib.contextmanager
def _recording_calls() -> Iterator[list[_CallRecord]]:
    """Records every `Layer.__call__` as a tree, with its input and output tensors.

    Tensors are kept alive in the records so that their ids stay unique.
    """
    roots: list[_CallRecord] = []
    records: list[_CallRecord] = []

    def record(layer, call, args, kwargs, enclosing):
        parent = records[-1] if records else None
        tensors = [
            t for t in keras.tree.flatten((args, kwargs)) if keras.ops.is_tensor(t)
        ]
        entry = _CallRecord(layer, parent, tensors)
        (parent.children if parent else roots).append(entry)
        records.append(entry)
        try:
            outputs = call(*args, **kwargs)
        finally:
            records.pop()
        entry.outputs = list(keras.tree.flatten(outputs))
        return outputs

    with intercepting_layer_calls(record):
        yield roots
