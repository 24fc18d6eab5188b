"""Model config (Keras 3 or Keras 2 JSON) -> neutral `Graph`. No keras import.

The config adapter of `graph.build`: it describes the config's layer calls
as a `build.ModelView`, and the one builder shared with `from_keras` makes
the graph, so a saved model and the live one give identical findings. Only
plain JSON data is read; class and module names stay strings.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard

from .._text import one_line
from . import build, expand, identity, kinds
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
    builder = build.Builder(graph)
    view = _ConfigModel(model_config, sequential=_is_sequential(config))
    if view.sequential:
        input_layer = _input_layer_of_sequential(model_config)
        name = _layer_name(input_layer) if input_layer else "input"
        outputs = builder.model(view, builder.add_input_nodes([name]), prefix="")
        output_names = [_layer_name(model_config["layers"][-1])]
    else:
        names = [ref[0] for ref in _refs(model_config.get("input_layers"))]
        outputs = builder.model(view, builder.add_input_nodes(names), prefix="")
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
    """`input_layers` / `output_layers`: one ref, or a list or dict of refs
    (nested too: Keras 3 saves a model built on a dict of inputs with a
    dict), flattened as `keras.tree.flatten` orders `model.inputs` (dict
    keys sorted)."""
    if not value:
        return []
    if isinstance(value, Mapping):
        return [ref for key in sorted(value) for ref in _refs(value[key])]
    if isinstance(value, (list, tuple)) and isinstance(value[0], str):
        return [(str(value[0]), _index(value[1]), _index(value[2]))]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"tensor reference {one_line(repr(value), 40)} is not a list")
    return [ref for item in value for ref in _refs(item)]


def _check_input_layers(
    model_config: Mapping[str, Any], inputs: Sequence[TensorRef]
) -> None:
    """Every name `input_layers` gives is an InputLayer of the model, as
    Keras writes them: another layer there (a cycle with no input) leaves
    the graph without a real input."""
    classes = {
        _layer_name(layer): layer.get("class_name") for layer in model_config["layers"]
    }
    for name, _, _ in inputs:
        if classes.get(name) != "InputLayer":
            found = classes.get(name)
            raise ValueError(
                f"input {one_line(name, 80)!r} is "
                + ("not a layer of the model" if found is None else f"a {found}")
                + ", not an InputLayer"
            )


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


def _call_kwargs(node: Any) -> Mapping[str, Any]:
    """The keyword arguments of an inbound node, where the hard-coded call
    arguments (`training=`) are. Keras 3 keeps them in the node's `kwargs`;
    Keras 2 in the fourth item of each inbound tensor entry."""
    if isinstance(node, Mapping):
        kwargs = node.get("kwargs")
    else:
        entries = [e for e in node or [] if isinstance(e, list) and len(e) >= 4]
        kwargs = entries[0][3] if entries else None
    return kwargs if isinstance(kwargs, Mapping) else {}


def config_attributes(layer: Mapping[str, Any]) -> dict[str, Any]:
    """The raw settings `expand.expand` reads, taken from a layer config."""
    config: Mapping[str, Any] = (
        layer["config"] if isinstance(layer.get("config"), Mapping) else {}
    )
    attributes = {
        name: config[name] for name in expand.LAYER_ATTRIBUTE_NAMES if name in config
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


class _ConfigModel:
    """A Sequential or Functional model config, as a `build.ModelView`."""

    def __init__(
        self,
        model_config: Mapping[str, Any],
        sequential: bool,
        views: dict[int, build.LayerView] | None = None,
    ):
        self.config = model_config
        self.sequential = sequential
        self.key: Hashable = id(model_config)
        # Layer entry id -> its view, shared by every model of one config:
        # a nested model called again reuses its views and its call order.
        self.views = {} if views is None else views
        self._order: tuple[list, list, list[int], dict] | None = None

    def view(self, layer: Mapping[str, Any]) -> build.LayerView:
        view = self.views.get(id(layer))
        if view is None:
            view = self.views[id(layer)] = _layer_view(layer, self.views)
        return view

    def input_keys(self) -> list[Hashable]:
        return list(_refs(self.config.get("input_layers")))

    def output_keys(self) -> list[Hashable]:
        return list(_refs(self.config.get("output_layers")))

    def input_last_dim(self) -> int | None:
        return _input_last_dim(self.config["layers"])

    def listed(self) -> tuple[int, list[build.ModelView]]:
        calls = 0
        nested: list[build.ModelView] = []
        for layer in self.config["layers"]:
            if layer.get("class_name") == "InputLayer":
                continue
            calls += 1 if self.sequential else len(_inbound_nodes(layer))
            view = self.view(layer)
            model = view.nested or (view.wrapped.nested if view.wrapped else None)
            if model is not None:
                nested.append(model)
        return calls, nested

    def calls(self) -> Iterator[build.CallView]:
        if self.sequential:
            for layer in self.config["layers"]:
                if layer.get("class_name") == "InputLayer":
                    continue
                shape = (layer.get("build_config") or {}).get("input_shape")
                yield build.CallView(self.view(layer), [], None, {}, [shape])
            return
        yield from self._functional_calls()

    def _functional_calls(self) -> Iterator[build.CallView]:
        """Each layer call in dependency order (Kahn's algorithm over calls
        keyed by layer name and node index): a call runs once all the calls
        it reads have run, in listed order among those ready, so any listing
        order is linear."""
        if self._order is None:
            self._order = self._call_order()
        calls, call_refs, initial_missing, waiting_on = self._order
        missing = list(initial_missing)
        ready = [position for position, count in enumerate(missing) if count == 0]
        heapq.heapify(ready)
        finished = [False] * len(calls)
        while ready:
            position = heapq.heappop(ready)
            layer, node_index, node = calls[position]
            view = self.view(layer)
            call = build.CallView(
                view,
                list(call_refs[position]),
                (view.name, node_index),
                _call_kwargs(node),
                _shapes_of(node),
            )
            yield call
            if not call.done:
                continue  # It read a tensor its producer never made.
            finished[position] = True
            for waiter in waiting_on.get((view.name, node_index), ()):
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

    def _call_order(self) -> tuple[list, list, list[int], dict]:
        """What the call order is computed from: the calls, the tensors each
        reads, how many producer calls each waits for, and its waiters."""
        model_config = self.config
        keras2 = _is_keras2(model_config)
        calls = [
            (layer, node_index + _first_node_index(layer, keras2), node)
            for layer in model_config["layers"]
            if layer.get("class_name") != "InputLayer"
            for node_index, node in enumerate(_inbound_nodes(layer))
        ]
        inputs = _refs(model_config.get("input_layers"))
        _check_input_layers(model_config, inputs)
        available = {(name, node_index) for name, node_index, _ in inputs}
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
        return calls, call_refs, missing, dict(waiting_on)

    def store(
        self, tensors: dict[Hashable, Producers], call: build.CallView, outputs: list
    ) -> None:
        name, node_index = call.outputs
        for index, group in enumerate(outputs):
            tensors[(name, node_index, index)] = group

    def read(self, tensors: dict[Hashable, Producers], key: Hashable) -> Any:
        return _lookup(tensors, key)  # type: ignore[arg-type]


def _layer_view(
    layer: Mapping[str, Any], views: dict[int, build.LayerView]
) -> build.LayerView:
    """One layer config as the builder sees it."""
    config = layer.get("config")
    nested: build.ModelView | None = None
    wrapped = None
    class_name, found = identity.identity_of_config(layer)
    if _is_functional(layer):
        nested = _ConfigModel(layer["config"], sequential=False, views=views)
    elif _is_sequential(layer) and isinstance(config, Mapping):
        nested = _ConfigModel(config, sequential=True, views=views)
    elif class_name in kinds.WRAPPER_CLASSES and not found:
        wrapped = _layer_view((config or {}).get("layer") or {}, views)
    elif (
        kinds.LAYER_KINDS.get(class_name) is None
        and not found
        and _wrapped_layer(config) is not None
    ):
        # A keras.layers.Wrapper subclass (weight normalization): its config
        # holds the wrapped layer, which the live trace shows.
        wrapped = _layer_view(_wrapped_layer(config) or {}, views)
    return build.LayerView(
        name=_layer_name(layer),
        layer_class=class_name,
        attrs={**config_attributes(layer), **found} if nested is None else {},
        key=id(layer),
        nested=nested,
        wrapped=wrapped,
        config=layer,
    )


def _wrapped_layer(config: Any) -> Mapping[str, Any] | None:
    """The layer config a `keras.layers.Wrapper` subclass stores as `layer`."""
    inner = config.get("layer") if isinstance(config, Mapping) else None
    if (
        isinstance(inner, Mapping)
        and isinstance(inner.get("class_name"), str)
        and isinstance(inner.get("config"), Mapping)
    ):
        return inner
    return None


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


def _lookup(tensors: dict[TensorRef, Producers], ref: TensorRef) -> Producers | None:
    if ref in tensors:
        return tensors[ref]
    # A multi-output call recorded as one producer group: any tensor index.
    name, node_index, _ = ref
    return tensors.get((name, node_index, 0))
