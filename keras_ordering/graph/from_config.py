"""Model config (Keras 3 or Keras 2 JSON) -> neutral `Graph`. No keras import.

Mirrors `from_keras` call for call: the same layer classes, settings, paths
and edges, so a saved model and the live one give identical findings. Only
plain JSON data is read; class and module names stay strings.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeGuard

from .._text import one_line
from . import kinds
from .graph import Graph
from .keras_version import keras_major
from .losses import losses_per_output

Producers = list[int]
# (layer name, node index, tensor index): a tensor in a model config.
TensorRef = tuple[str, int, int]


def graph_from_config(config: Mapping[str, Any], loss: Any = None) -> Graph:
    """Builds the neutral graph from a serialized model (`model.to_json()`,
    the `config.json` of a `.keras` file, or an `.h5` `model_config`).

    Time and memory are linear in the size of the config, whatever order
    its layers are listed in.

    Args:
        config: `{"class_name": ..., "config": {...}}` of the model.
        loss: the serialized `loss` of its compile config, if any.

    Raises:
        ValueError: not a Sequential or Functional model config, or a config
            that is malformed; the message is one line.
    """
    try:
        return _graph_from_config(config, loss)
    except RecursionError:
        raise ValueError("the model config is nested too deeply") from None
    except (AttributeError, TypeError, KeyError, IndexError, OverflowError) as error:
        # Configs are untrusted data: a value of the wrong type anywhere is a
        # malformed file, reported in one line rather than as a traceback.
        raise ValueError(
            f"malformed model config ({type(error).__name__}: {one_line(str(error))})"
        ) from None


def _graph_from_config(config: Mapping[str, Any], loss: Any) -> Graph:
    if not isinstance(config, Mapping):
        raise ValueError(
            f"the model config is a {type(config).__name__}, not an object"
        )
    class_name = config.get("class_name")
    model_config = config.get("config")
    if not isinstance(model_config, Mapping) or not isinstance(
        model_config.get("layers"), list
    ):
        raise ValueError(
            f"'{one_line(str(class_name), 80)}' has no layer list in its config. "
            "Only Sequential and Functional configs list their layers; a "
            "Functional subclass (keras-hub backbones and tasks, for example) "
            "stores its constructor arguments instead. Lint it with --load "
            "(builds the model with its package, in safe mode) or with "
            "keras_ordering.lint_model in Python"
        )
    _check_layers(model_config)
    if not model_config["layers"]:
        raise ValueError(f"model {model_config.get('name')!r} has no layers")
    graph = Graph(str(model_config.get("name", "model")))
    # Keras 2 keeps a hard-coded training= flag that Keras 3 replaces (KO130).
    graph.attrs["keras_major"] = keras_major(config)
    builder = _ConfigBuilder(graph)
    if _is_sequential(config):
        input_layer = _input_layer_of_sequential(model_config)
        name = _layer_name(input_layer) if input_layer else "input"
        inputs = [graph.add_node(kinds.INPUT, name, "InputLayer")]
        outputs = [builder.chain(model_config["layers"], inputs, prefix="")]
        output_names = [_layer_name(model_config["layers"][-1])]
    else:
        inputs_refs = _refs(model_config.get("input_layers"))
        input_producers = [
            [graph.add_node(kinds.INPUT, ref[0], "InputLayer")] for ref in inputs_refs
        ]
        outputs = builder.walk(model_config, input_producers, prefix="")
        output_names = [ref[0] for ref in _refs(model_config.get("output_layers"))]
    losses = losses_per_output(loss, output_names)
    graph.add_outputs(outputs, output_names, losses)
    return graph


def _check_layers(model_config: Mapping[str, Any]) -> None:
    """Every entry of a layer list is a layer config (an object)."""
    for position, layer in enumerate(model_config["layers"]):
        if not isinstance(layer, Mapping):
            raise ValueError(
                f"layer {position} of model "
                f"{one_line(str(model_config.get('name')), 80)!r} is a "
                f"{type(layer).__name__}, not a layer config"
            )


def _is_sequential(layer: Mapping[str, Any]) -> bool:
    return layer.get("class_name") == "Sequential"


def _is_functional(layer: Mapping[str, Any]) -> bool:
    config = layer.get("config")
    return (
        isinstance(config, Mapping)
        and isinstance(config.get("layers"), list)
        and "input_layers" in config
        and layer.get("class_name") in kinds.MODEL_CLASSES
    )


def _layer_name(layer: Mapping[str, Any]) -> str:
    config = layer.get("config")
    name = layer.get("name") or (
        config.get("name") if isinstance(config, Mapping) else None
    )
    return str(name or layer.get("class_name", "layer"))


def _input_layer_of_sequential(model_config: Mapping[str, Any]) -> Mapping | None:
    first = model_config["layers"][0]
    return first if first.get("class_name") == "InputLayer" else None


def _refs(value: Any) -> list[TensorRef]:
    """`input_layers` / `output_layers`: one ref or a list of refs."""
    if not value:
        return []
    if isinstance(value[0], str):
        value = [value]
    return [(str(ref[0]), _index(ref[1]), _index(ref[2])) for ref in value]


def _index(value: Any) -> int:
    """A node or tensor index of a tensor reference."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"tensor index {one_line(repr(value), 40)} is not a number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"tensor index {one_line(repr(value), 40)} is not an integer")
    if not 0 <= value < 2**31:
        raise ValueError(f"tensor index {one_line(repr(value), 40)} is out of range")
    return int(value)


def _tensor_refs(node: Any) -> Iterator[TensorRef]:
    """Tensors an inbound node reads, in argument order.

    Keras 3: `{"args": [...], "kwargs": {...}}` holding `__keras_tensor__`
    entries with a `keras_history`. Keras 2: a list of
    `[layer name, node index, tensor index, kwargs]`.
    """
    if isinstance(node, Mapping):
        yield from _keras3_refs(node.get("args", []))
        yield from _keras3_refs(node.get("kwargs", {}))
        return
    for entry in node or []:
        if isinstance(entry, list) and len(entry) >= 3 and isinstance(entry[0], str):
            yield (entry[0], _index(entry[1]), _index(entry[2]))


def _keras3_refs(value: Any) -> Iterator[TensorRef]:
    if isinstance(value, Mapping):
        if value.get("class_name") == "__keras_tensor__":
            history = value.get("config", {}).get("keras_history")
            if history:
                yield (str(history[0]), _index(history[1]), _index(history[2]))
            return
        for item in value.values():
            yield from _keras3_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keras3_refs(item)


def _shapes_of(node: Any) -> list[Any]:
    """Shapes of the Keras 3 tensors an inbound node reads, if recorded."""
    shapes: list[Any] = []

    def visit(value: Any) -> None:
        if isinstance(value, Mapping):
            if value.get("class_name") == "__keras_tensor__":
                shapes.append(value.get("config", {}).get("shape"))
                return
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    if isinstance(node, Mapping):
        visit(node.get("args", []))
    return shapes


def _call_arguments_of(node: Any, path: str) -> dict[str, Any]:
    """The hard-coded call arguments `kinds.expand` reads (`training=`) of an
    inbound node, and the path of the call. Keras 3 keeps them in the node's
    `kwargs`; Keras 2 in the fourth item of each inbound tensor entry."""
    if isinstance(node, Mapping):
        kwargs = node.get("kwargs")
    else:
        entries = [e for e in node or [] if isinstance(e, list) and len(e) >= 4]
        kwargs = entries[0][3] if entries else None
    if not isinstance(kwargs, Mapping):
        return {}
    found = {
        name: kwargs[name]
        for name in kinds.CALL_ARGUMENT_NAMES
        if isinstance(kwargs.get(name), bool)
    }
    return {**found, "call": path} if found else {}


def config_attributes(layer: Mapping[str, Any]) -> dict[str, Any]:
    """The raw settings `kinds.expand` reads, taken from a layer config."""
    config: Mapping[str, Any] = (
        layer["config"] if isinstance(layer.get("config"), Mapping) else {}
    )
    attributes = {
        name: config[name] for name in kinds.LAYER_ATTRIBUTE_NAMES if name in config
    }
    for name, value in attributes.items():
        if isinstance(value, int) and abs(value) > _LARGEST_SETTING:
            raise ValueError(
                f"layer {_layer_name(layer)!r}: {name} = "
                f"{one_line(repr(value), 24)} is out of range"
            )
    return attributes


# Larger integers cannot be a layer setting and overflow float conversion.
_LARGEST_SETTING = 2**63


class _ConfigBuilder:
    def __init__(self, graph: Graph):
        self.graph = graph

    def walk(
        self,
        model_config: Mapping[str, Any],
        input_producers: list[Producers],
        prefix: str,
        enclosing_call: dict[str, Any] | None = None,
    ) -> list[Producers]:
        """A Functional config: each layer call in dependency order."""
        tensors: dict[TensorRef, Producers] = {}
        for ref, input_group in zip(
            _refs(model_config.get("input_layers")), input_producers, strict=False
        ):
            tensors[ref] = input_group
        keras2 = _is_keras2(model_config)
        calls = [
            (layer, node_index + _first_node_index(layer, keras2), node)
            for layer in model_config["layers"]
            if layer.get("class_name") != "InputLayer"
            for node_index, node in enumerate(_inbound_nodes(layer))
        ]
        # Kahn's algorithm over layer calls, keyed by (layer name, node
        # index): each call runs once all the calls it reads have run, in
        # listed order among those ready, so any listing order is linear.
        available = {(name, node_index) for name, node_index, _ in tensors}
        call_refs = []
        missing = []
        waiting_on: dict[tuple[str, int], list[int]] = defaultdict(list)
        for position, (_, _, node) in enumerate(calls):
            refs = list(_tensor_refs(node))
            needs = {(name, node_index) for name, node_index, _ in refs} - available
            for key in needs:
                waiting_on[key].append(position)
            call_refs.append(refs)
            missing.append(len(needs))
        ready = [position for position, count in enumerate(missing) if count == 0]
        heapq.heapify(ready)
        finished = [False] * len(calls)
        while ready:
            position = heapq.heappop(ready)
            layer, node_index, node = calls[position]
            found = [_lookup(tensors, ref) for ref in call_refs[position]]
            groups = [group for group in found if group is not None]
            if len(groups) < len(found):
                break  # It reads a tensor its producer never made.
            outputs = self.add_call(
                layer,
                groups,
                prefix,
                _shapes_of(node),
                call=enclosing_call
                or _call_arguments_of(node, prefix + _layer_name(layer)),
            )
            finished[position] = True
            name = _layer_name(layer)
            for index, group in enumerate(outputs):
                tensors[(name, node_index, index)] = group
            available.add((name, node_index))
            for waiter in waiting_on.pop((name, node_index), ()):
                missing[waiter] -= 1
                if missing[waiter] == 0:
                    heapq.heappush(ready, waiter)
        if not all(finished):
            names = sorted(
                {
                    _layer_name(layer)
                    for (layer, _, _), ran in zip(calls, finished, strict=True)
                    if not ran
                }
            )
            raise ValueError(f"layers with unresolved inputs: {names[:5]}")
        return [
            _lookup(tensors, ref) or []
            for ref in _refs(model_config.get("output_layers"))
        ]

    def chain(
        self,
        layers: Sequence[Mapping[str, Any]],
        producers: Producers,
        prefix: str,
        enclosing_call: dict[str, Any] | None = None,
    ) -> Producers:
        """A Sequential config. Per-layer shapes are not stored there, so the
        size of the last axis is carried along for softmax layers."""
        current = producers
        last_dim = _input_last_dim(layers)
        for layer in layers:
            if layer.get("class_name") == "InputLayer":
                continue
            shape = (layer.get("build_config") or {}).get("input_shape")
            if _is_single_shape(shape):
                last_dim = shape[-1]
            outputs = self.add_call(
                layer, [current], prefix, [shape], last_dim, enclosing_call or {}
            )
            current = outputs[0] if outputs else []
            last_dim = _output_last_dim(layer, last_dim)
        return current

    def add_call(
        self,
        layer: Mapping[str, Any],
        producers: list[Producers],
        prefix: str,
        input_shapes: list[Any],
        last_dim: int | None = None,
        call: dict[str, Any] | None = None,
    ) -> list[Producers]:
        """One layer call. `call` holds its hard-coded call arguments
        (`training`), or those of an enclosing model call, which win."""
        path = prefix + _layer_name(layer)
        merged = sorted({index for group in producers for index in group})
        class_name = str(layer.get("class_name"))
        call = call or {}
        if _is_functional(layer):
            return self.walk(
                layer["config"], producers, prefix=path + "/", enclosing_call=call
            )
        if _is_sequential(layer):
            return [
                self.chain(
                    layer["config"]["layers"],
                    merged,
                    prefix=path + "/",
                    enclosing_call=call,
                )
            ]
        if class_name in kinds.WRAPPER_CLASSES:
            inner = (layer.get("config") or {}).get("layer") or {}
            inner_path = f"{path}/{_layer_name(inner)}"
            return [
                self.graph.add_layer(
                    str(inner.get("class_name")),
                    inner_path,
                    {**config_attributes(inner), **kinds.call_attributes(call, path)},
                    merged,
                )
            ]
        attrs = {**config_attributes(layer), **kinds.call_attributes(call, path)}
        shape = input_shapes[0] if input_shapes else None
        if shape is None:
            shape = (layer.get("build_config") or {}).get("input_shape")
        if shape is not None:
            attrs["input_shape"] = shape
        elif last_dim is not None:
            attrs["last_dim"] = last_dim
        return [self.graph.add_layer(class_name, path, attrs, merged)]


def _inbound_nodes(layer: Mapping[str, Any]) -> list[Any]:
    nodes = layer.get("inbound_nodes") or []
    if not isinstance(nodes, list):
        raise ValueError(
            f"layer {_layer_name(layer)!r}: inbound_nodes is a "
            f"{type(nodes).__name__}, not a list"
        )
    return nodes


def _is_keras2(model_config: Mapping[str, Any]) -> bool:
    """Keras 2 configs list inbound nodes as lists, Keras 3 as dicts."""
    return any(
        isinstance(node, list)
        for layer in model_config["layers"]
        for node in _inbound_nodes(layer)
    )


def _first_node_index(layer: Mapping[str, Any], keras2: bool) -> int:
    """Index of a layer's first call in the config's tensor references.

    Keras 2 leaves out the first node of a nested model built from an Input
    (the node linking its own input to its output), so its calls count from 1.
    """
    config = layer.get("config")
    if not keras2 or not isinstance(config, Mapping):
        return 0
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers:
        return 0
    return int(layers[0].get("class_name") == "InputLayer")


def _is_single_shape(shape: Any) -> TypeGuard[list[int | None]]:
    return (
        isinstance(shape, list)
        and bool(shape)
        and all(d is None or isinstance(d, int) for d in shape)
    )


def _input_last_dim(layers: Sequence[Mapping[str, Any]]) -> int | None:
    first = layers[0].get("config") or {}
    shape = first.get("batch_shape") or first.get("batch_input_shape")
    return shape[-1] if _is_single_shape(shape) else None


def _output_last_dim(layer: Mapping[str, Any], last_dim: int | None) -> int | None:
    """Size of the last axis after `layer`, when a config alone tells it."""
    class_name = str(layer.get("class_name"))
    config: Mapping[str, Any] = (
        layer["config"] if isinstance(layer.get("config"), Mapping) else {}
    )
    if config.get("data_format") == "channels_first":
        return None
    if kinds.keeps_last_axis(class_name):
        return last_dim
    if class_name in kinds.AFFINE_WEIGHT_CLASSES:
        units = config.get("units", config.get("filters"))
        return units if isinstance(units, int) else None
    if class_name == "Reshape":
        target = list(config.get("target_shape") or [])
        return target[-1] if _is_single_shape(target) else None
    return None


def _lookup(tensors: dict[TensorRef, Producers], ref: TensorRef) -> Producers | None:
    if ref in tensors:
        return tensors[ref]
    # A multi-output call recorded as one producer group: any tensor index.
    name, node_index, _ = ref
    return tensors.get((name, node_index, 0))
