"""Live Keras model -> neutral `Graph`.

The ONLY module of the package that touches Keras' private API
(`_nodes_by_depth`, `_inputs`, `_functional`, `_layers`, `_flatten_layers`,
`keras.src.backend.compute_output_spec`, `keras.src.utils.is_default`, and
the patching of `Layer.__call__` while a call is traced). Everything it
reads goes through `graph.kinds`, exactly as the static config reader does,
so a live model and its saved file give identical graphs.

Custom layers with sublayers and subclassed models are traced: one symbolic
call records the sublayer calls and, on TensorFlow, the tensor operations
between them (see `_plan_call` and docs/linter-graph.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import weakref
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
    graph.add_outputs(outputs, output_names, losses)
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
    if _adapted(layer) is False:  # Only a live layer knows (KO304).
        attrs["adapted"] = False
    return attrs


def _adapted(layer: Any) -> bool | None:
    """Whether a layer that learns statistics or a vocabulary from data
    (Normalization, StringLookup, IntegerLookup, TextVectorization) holds
    some: adapted, given explicitly or loaded. None for other layers, and
    for keras.applications' EfficientNet layout (a Normalization after a
    fixed Rescaling, whose statistics come with the weights)."""
    preprocessing = keras.layers
    if isinstance(layer, preprocessing.Normalization):
        if layer.input_mean is not None or not layer.built:
            return True if layer.input_mean is not None else None
        mean = keras.ops.convert_to_numpy(layer.adapt_mean)
        variance = keras.ops.convert_to_numpy(layer.adapt_variance)
        if not ((mean == 0).all() and (variance == 1).all()):
            return True
        for node in getattr(layer, "_inbound_nodes", []):
            for tensor in node.arguments.keras_tensors:
                history = getattr(tensor, "_keras_history", None)
                source = getattr(history, "operation", None)
                if isinstance(source, preprocessing.Rescaling):
                    return None
        return False
    lookups = (
        preprocessing.StringLookup,
        preprocessing.IntegerLookup,
        preprocessing.TextVectorization,
    )
    if isinstance(layer, lookups):
        try:
            return bool(layer.get_vocabulary(include_special_tokens=False))
        except Exception:  # A vocabulary file or table not readable here.
            return None
    return None


def _shape_of(tensor: Any) -> tuple | None:
    shape = getattr(tensor, "shape", None)
    return None if shape is None else tuple(shape)


def _unbatched_shape(tensor: Any) -> tuple | None:
    shape = _shape_of(tensor)
    return (None, *shape[1:]) if shape else shape


@dataclass
class _CallRecord:
    """One `Layer.__call__` seen while tracing a subclassed model."""

    layer: Any
    parent: _CallRecord | None
    inputs: list[Any]
    outputs: list[Any] = field(default_factory=list)
    children: list[_CallRecord] = field(default_factory=list)
    scope: str | None = None  # The graph name scope around the call.
    plan: _Plan | None = None  # A container call planned on its own.


class _Builder:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.sharing = _Sharing()

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
        specs = _specs_like_shape(input_shape)
        flat_specs = keras.tree.flatten(specs)
        names = (
            [f"input_{i}" for i in range(len(flat_specs))]
            if len(flat_specs) > 1
            else ["input"]
        )
        input_producers = self.add_inputs(flat_specs, names)
        plan = _cached_plan(
            model,
            _arguments_key((specs,), {}),
            lambda: _plan_call(
                model,
                lambda args: model(args, training=True),
                specs,
                self.sharing,
            ),
        )
        outputs = self.replay(plan, input_producers, prefix="")
        return outputs, [f"output_{i}" for i in range(len(outputs))] if len(
            outputs
        ) > 1 else ["output"]

    def trace_layer(self, layer, call_arguments, producers, prefix):
        """Flattens one custom layer with sublayers by tracing its call."""
        keras_tensors = list(call_arguments.keras_tensors)

        def call(flat_inputs):
            args, kwargs = call_arguments.fill_in(
                {id(t): x for t, x in zip(keras_tensors, flat_inputs, strict=True)}
            )
            if kwargs.get("training") is None:
                kwargs["training"] = True  # Noise layers show their noise.
            return layer(*args, **kwargs)

        key = _arguments_key(call_arguments.args, call_arguments.kwargs)
        plan = _cached_plan(
            layer,
            key,
            lambda: self.sharing.plan(
                layer,
                key,
                lambda: _plan_call(layer, call, keras_tensors, self.sharing),
            ),
        )
        return self.replay(plan, producers, prefix)

    def replay(
        self, plan: _Plan, input_producers: list[Producers], prefix: str
    ) -> list[Producers]:
        """Adds the nodes of a traced call to the graph, below `prefix`."""
        slots: dict[int, Producers] = dict(enumerate(input_producers))
        for step in plan.steps:
            producers = [slots.get(s, []) if s is not None else [] for s in step.inputs]
            if step.plan is not None:
                outputs = self.replay(step.plan, producers, prefix + step.path)
                for position, slot in enumerate(step.outputs):
                    slots[slot] = outputs[position] if position < len(outputs) else []
                continue
            if step.layer is None:
                merged = sorted({index for group in producers for index in group})
                if not merged:  # Fed by a constant of an enclosing call.
                    slots[step.outputs[0]] = []
                    continue
                index = self.graph.add_node(
                    step.kind, prefix + step.path, step.layer_class, attrs=step.attrs
                )
                self.graph.connect(merged, index)
                slots[step.outputs[0]] = [index]
                continue
            called = self.add_call(
                step.layer, producers, prefix + step.path, step.input_shapes
            )
            outputs = called or []  # None: a call whose outputs are unknown.
            for position, slot in enumerate(step.outputs):
                slots[slot] = (
                    outputs[min(position, len(outputs) - 1)] if outputs else []
                )
        if plan.untraced:
            owner = prefix.rstrip("/") or self.graph.name
            untraced = self.graph.attrs.setdefault("untraced", [])
            untraced.extend((owner, where) for where in plan.untraced)
        return [slots.get(s, []) if s is not None else [] for s in plan.outputs]


class _Sharing:
    """What one model's traces share: the plans of identical twins, and the
    output specs of identical leaf calls."""

    def __init__(self) -> None:
        # Structure signature and input key -> (sublayers, plan) of a traced
        # layer, for its identical twins in the same model.
        self._twins: dict[Any, tuple[list[Any], _Plan]] = {}
        # Layer id and whether its name counts -> its description: nested
        # blocks are described once, not once per enclosing container.
        self._descriptions: dict[tuple[int, bool], tuple] = {}
        # Structure signature and arguments key -> a custom leaf's output spec.
        self._leaf_specs: dict[Any, Any] = {}

    def plan(self, layer: Any, key: Any, trace: Callable[[], _Plan]) -> _Plan:
        """A twin's plan when this model has traced an identical layer before.

        keras-hub stacks identical blocks (12 encoder layers): they differ
        only by their own name, so the first block's plan, with its
        sublayers swapped for this block's, is this block's plan.
        """
        signature = _structure_signature(layer, self._descriptions)
        sublayers = _flat_sublayers(layer)
        if signature is not None:
            twin = self._twins.get((signature, key))
            if twin is not None:
                plan = _remapped(twin[1], twin[0], sublayers)
                if plan is not None:
                    return plan
        plan = trace()
        if signature is not None:
            self._twins[(signature, key)] = (sublayers, plan)
        return plan

    def leaf_output_spec(self, layer: Any, args: tuple, kwargs: dict) -> Any:
        """KerasTensors shaped like a leaf call's outputs; None when unknown.

        A leaf without `compute_output_shape` (a custom DropPath) is run in
        a scratch graph to learn its output: once per structure and input
        shapes, since identical leaves (one per block) give the same spec.
        """
        from keras.src.utils.python_utils import is_default

        if not is_default(layer.compute_output_shape):
            return layer.compute_output_spec(*args, **kwargs)
        signature = _structure_signature(layer, self._descriptions)
        if signature is None:
            return None
        key = (signature, _arguments_key(args, kwargs))
        if key not in self._leaf_specs:
            self._leaf_specs[key] = layer.compute_output_spec(*args, **kwargs)
        return self._leaf_specs[key]


@dataclass
class _Step:
    """One node-making step of a traced call, replayed into each graph.

    A sublayer call (`layer` set, `path` the prefix of its enclosing
    containers) or a tensor operation between calls (`layer` None, `path` its
    own path). `inputs` and `outputs` are value slots; a None input is a
    constant.
    """

    layer: Any
    path: str
    inputs: list[int | None]
    outputs: list[int]
    input_shapes: list[tuple | None] = field(default_factory=list)
    kind: str = kinds.UNKNOWN
    layer_class: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    plan: _Plan | None = None  # A container call: `layer`'s own plan.


@dataclass
class _Plan:
    """The data flow of one traced call, independent of any graph.

    Slots `0 .. n-1` are the call's flat inputs. `untraced` describes the
    edges the backend could not show, relative to the traced layer
    (`"input 0 of sublayer 'bn'"`).
    """

    steps: list[_Step]
    outputs: list[int | None]
    untraced: list[str]
    output_spec: Any = None  # KerasTensors shaped like the call's outputs.


# Plans per traced layer object and input signature: a model is traced once,
# however often it is linted.
_PLANS: weakref.WeakKeyDictionary[Any, dict[Any, _Plan]] = weakref.WeakKeyDictionary()


def _cached_plan(layer: Any, key: Any, make: Callable[[], _Plan]) -> _Plan:
    try:
        per_layer = _PLANS.setdefault(layer, {})
    except TypeError:  # Not weakly referenceable: trace every time.
        return make()
    if key not in per_layer:
        per_layer[key] = make()
    return per_layer[key]


def _flat_sublayers(layer: Any) -> list[Any]:
    return list(layer._flatten_layers(include_self=False, recursive=True))


@functools.cache
def _keras_bookkeeping() -> frozenset[str]:
    """Attributes Keras itself keeps on every layer (nodes, losses, flags)."""
    probe = keras.layers.Layer(name="keras_ordering_probe")  # Named: no uid used.
    return frozenset(vars(probe)) | {"_build_shapes_dict"}


def _is_plain(value: Any) -> bool:
    """A setting written in the constructor: a number, a string, or a tuple,
    list or dict of them."""
    if isinstance(value, (tuple, list)):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return isinstance(value, (bool, int, float, str, type(None)))


def _structure_signature(
    layer: Any, descriptions: dict[tuple[int, bool], tuple]
) -> Any:
    """What decides a layer's traced structure, its own name excepted.

    Its class, config and attributes, and those of every sublayer (with the
    name of every sublayer container, which the plan's paths hold).
    Attributes count by value when plain (numbers, strings, tuples and dicts
    of them), by qualified name when functions, by type otherwise; Keras'
    own bookkeeping and layers (sublayers already) are left out. None when
    the layers cannot be listed: such a layer is never shared.
    `descriptions` memoises the layers described so far (all alive).
    """

    def describe(item: Any, keep_name: bool) -> tuple:
        key = (id(item), keep_name)
        if key not in descriptions:
            descriptions[key] = describe_afresh(item, keep_name)
        return descriptions[key]

    def describe_afresh(item: Any, keep_name: bool) -> tuple:
        try:
            config = _without_rates(dict(item.get_config()))
            config.pop("name", None)
        except Exception:  # No config (keras-hub's ViT MLP): attributes tell.
            config = None
        attributes = sorted(
            (key, _attribute_fact(value))
            for key, value in _without_rates(vars(item)).items()
            if key not in _keras_bookkeeping()
            and "name" not in key
            and "path" not in key
            and not isinstance(value, keras.layers.Layer)
        )
        name = item.name if keep_name else None
        return type(item), name, repr(_attribute_fact(config)), repr(attributes)

    try:
        return (
            describe(layer, keep_name=False),
            # A leaf's name is read at replay; a container's is in the plan.
            tuple(
                describe(sub, keep_name=not _is_leaf(sub))
                for sub in _flat_sublayers(layer)
            ),
        )
    except Exception:
        return None


def _is_rate(key: str) -> bool:
    return key in ("rate", "stddev") or "drop" in key


def _without_rates(settings: dict[str, Any]) -> dict[str, Any]:
    """Noise rates count only as zero or not: blocks on a linear drop-path
    schedule (Swin, SegFormer) have the same structure, and each twin's own
    rates are read at replay."""
    return {
        key: bool(value) if _is_rate(key) and isinstance(value, (int, float)) else value
        for key, value in settings.items()
    }


def _attribute_fact(value: Any) -> Any:
    if _is_plain(value):
        return value
    if isinstance(value, keras.layers.Layer):  # Its sublayer entry tells.
        return type(value).__qualname__
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, (list, tuple)):
        return tuple(_attribute_fact(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _attribute_fact(item)) for key, item in value.items())
    return type(value).__qualname__


def _remapped(plan: _Plan, template: list[Any], sublayers: list[Any]) -> _Plan | None:
    """`plan` with each of `template`'s sublayers swapped for its twin."""
    twin_of = {id(a): b for a, b in zip(template, sublayers, strict=True)}

    def remap(plan: _Plan) -> _Plan | None:
        steps = []
        for step in plan.steps:
            if step.layer is not None:
                if id(step.layer) not in twin_of:
                    return None  # A layer from outside the block: not a twin.
                inner = remap(step.plan) if step.plan is not None else None
                if step.plan is not None and inner is None:
                    return None
                step = dataclasses.replace(
                    step, layer=twin_of[id(step.layer)], plan=inner
                )
            steps.append(step)
        return dataclasses.replace(plan, steps=steps)

    return remap(plan)


# The batch size a call is traced at when its batch is unknown. A known
# batch lets `ops.shape` return plain numbers, so the traced graph holds no
# shape arithmetic (a third fewer operations in Swin); 2 rather than 1, so
# that no squeeze or size-1 check can mistake the batch axis for a unit one.
TRACE_BATCH = 2


def _with_trace_batch(spec: Any) -> Any:
    """`spec` with an unknown batch size set to `TRACE_BATCH`."""
    if isinstance(spec, keras.KerasTensor) and spec.shape and spec.shape[0] is None:
        return keras.KerasTensor((TRACE_BATCH, *spec.shape[1:]), spec.dtype)
    return spec


def _specs_like_shape(shape: Any) -> Any:
    """Symbolic inputs for a build-config input shape (a shape, list or dict)."""
    if isinstance(shape, dict):
        return {key: _specs_like_shape(value) for key, value in shape.items()}
    if (
        isinstance(shape, (list, tuple))
        and shape
        and not all(d is None or isinstance(d, int) for d in shape)
    ):
        return [_specs_like_shape(s) for s in shape]
    return keras.KerasTensor(tuple(shape))


def _arguments_key(args: tuple, kwargs: dict) -> Any:
    """The shapes and dtypes of a call's tensors (symbolic or traced), and
    its other arguments: what decides a trace besides the layer."""

    def is_tensor(value: Any) -> bool:
        return isinstance(value, keras.KerasTensor) or keras.ops.is_tensor(value)

    tensors = [t for t in keras.tree.flatten((args, kwargs)) if is_tensor(t)]
    others = keras.tree.map_structure(
        lambda x: "<tensor>" if is_tensor(x) else repr(x), (args, kwargs)
    )
    return tuple((tuple(t.shape), str(t.dtype)) for t in tensors), repr(others)


def _plan_call(
    root: Any, call: Callable[[Any], Any], specs: Any, sharing: _Sharing
) -> _Plan:
    """Traces `call(inputs)` symbolically and records its data flow.

    The call runs once on symbolic tensors (the backend's own output-spec
    machinery: a TensorFlow graph, JAX abstract values or torch meta
    tensors), in a stateless scope: nothing is computed and no statistics
    move. On TensorFlow the traced graph shows the tensor operations between
    layer calls; elsewhere an edge that does not connect two recorded calls
    is reported as untraced.
    """
    runs: list[tuple[_CallRecord, list[Any]]] = []
    specs = keras.tree.map_structure(_with_trace_batch, specs)

    def divert(record: _CallRecord, args: tuple, kwargs: dict) -> Any:
        if _is_leaf(record.layer):
            return _placeholders_for(record.layer, args, kwargs, sharing)
        return _plan_container(record, args, kwargs, sharing)

    def traced(inputs):
        flat_inputs = keras.tree.flatten(inputs)
        graph = flat_inputs[0].graph if _is_graph_tensor(flat_inputs[0]) else None
        with _recording_calls(graph, divert) as roots:
            outputs = call(inputs)
        runs.append((roots[0], flat_inputs))
        return outputs

    from keras.src.backend import compute_output_spec

    try:
        output_spec = compute_output_spec(traced, specs)
    except Exception:
        # Some calls need concrete values (Python control flow on a tensor):
        # run once on zeros, statelessly, without a graph to walk.
        runs.clear()
        zeros = keras.tree.map_structure(
            lambda t: keras.ops.zeros(_concrete(t.shape), dtype=t.dtype), specs
        )
        with keras.StatelessScope(), _recording_calls() as roots:
            outputs = call(zeros)
        runs.append((roots[0], keras.tree.flatten(zeros)))
        output_spec = None
    record, flat_inputs = runs[-1]
    planner = _Planner(_is_graph_tensor(flat_inputs[0]))
    for slot, tensor in enumerate(flat_inputs):
        planner.known[planner.key(tensor)] = slot
    planner.next_slot = len(flat_inputs)
    planner.enter(record, "")
    planner.add_records(record.children, path="")
    outputs = [planner.resolve(t, "its output") for t in record.outputs]
    return _Plan(planner.steps, outputs, planner.untraced, output_spec)


def _plan_container(
    record: _CallRecord, args: tuple, kwargs: dict, sharing: _Sharing
) -> Any:
    """Plans a container sublayer's call on its own (so that its identical
    twins reuse the plan); returns placeholders of its outputs, or None to
    run it in place."""
    layer = record.layer
    tensors = [t for t in keras.tree.flatten((args, kwargs)) if _is_graph_tensor(t)]
    if not tensors:
        return None
    position = {id(t): i for i, t in enumerate(tensors)}
    specs = [keras.KerasTensor(tuple(t.shape), t.dtype.name) for t in tensors]

    def call(flat_inputs):
        filled_args, filled_kwargs = keras.tree.map_structure(
            lambda x: flat_inputs[position[id(x)]] if id(x) in position else x,
            (args, kwargs),
        )
        return layer(*filled_args, **filled_kwargs)

    key = _arguments_key(args, kwargs)
    try:
        plan = _cached_plan(
            layer,
            key,
            lambda: sharing.plan(
                layer, key, lambda: _plan_call(layer, call, specs, sharing)
            ),
        )
    except Exception:  # Run it in place instead.
        return None
    if plan.output_spec is None:
        return None
    record.plan = plan
    record.inputs = tensors
    return _graph_placeholders(plan.output_spec)


def _is_leaf(layer: Any) -> bool:
    """A layer the graph shows as one node (not a container to look into)."""
    layer_class = type(layer).__name__
    return (
        kinds.LAYER_KINDS.get(layer_class) is not None
        or layer_class in kinds.WRAPPER_CLASSES
        or layer_class == kinds.FUSED_CLASS
        or not _sublayers(layer)
    ) and _functional_of(layer) is None


def _is_graph_tensor(tensor: Any) -> bool:
    """A tensor of a TensorFlow graph, whose producing op can be walked."""
    return hasattr(tensor, "op") and hasattr(getattr(tensor, "op", None), "inputs")


# TensorFlow ops whose output is metadata of their input, not its values.
_METADATA_OPS = frozenset({"Shape", "ShapeN", "Rank", "Size", "ZerosLike", "OnesLike"})


class _Planner:
    """Turns the recorded calls of one trace into `_Step`s.

    In graph mode (TensorFlow) a tensor that no recorded call produced is
    walked back through `tensor.op.inputs` to recorded outputs or the traced
    call's inputs; each operation on the way that depends on them becomes a
    node (`kinds.tensor_operation`). Visited operations are memoised, so the
    walk is linear in the graph size. Elsewhere such a tensor is untraced.
    """

    def __init__(self, graph_mode: bool):
        self.graph_mode = graph_mode
        self.steps: list[_Step] = []
        self.known: dict[Any, int] = {}
        self.untraced: list[str] = []
        self.next_slot = 0
        self._operations: dict[str, int | None] = {}
        self._slot_kind: dict[int, str] = {}
        # Graph name scope of a container call -> its path below the root.
        self.scope_paths: dict[str, str] = {}

    def enter(self, record: _CallRecord, path: str) -> None:
        """Maps the name scope inside `record`'s call to `path`."""
        if record.children and record.children[0].scope is not None:
            self.scope_paths.setdefault(record.children[0].scope, path)

    def key(self, tensor: Any) -> Any:
        if self.graph_mode and _is_graph_tensor(tensor):
            return (tensor.op.name, tensor.value_index)
        return id(tensor)

    def new_slot(self) -> int:
        self.next_slot += 1
        return self.next_slot - 1

    def add_records(self, records: list[_CallRecord], path: str) -> None:
        for record in records:
            layer = record.layer
            if record.plan is not None:
                self._add_call(record, path, plan=record.plan)
                continue
            layer_class = type(layer).__name__
            is_container = (
                record.children
                and kinds.LAYER_KINDS.get(layer_class) is None
                and layer_class not in kinds.WRAPPER_CLASSES
                and layer_class != kinds.FUSED_CLASS
            )
            if is_container:
                self.enter(record, path + layer.name + "/")
                self.add_records(record.children, path + layer.name + "/")
                continue
            self._add_call(record, path)

    def _add_call(
        self, record: _CallRecord, path: str, plan: _Plan | None = None
    ) -> None:
        """A leaf call at `path`, or a container call with its own plan."""
        layer = record.layer
        where = f"input {{}} of sublayer '{path}{layer.name}'"
        inputs = [self.resolve(t, where.format(i)) for i, t in enumerate(record.inputs)]
        outputs = []
        for tensor in record.outputs:
            slot = self.new_slot()
            self.known[self.key(tensor)] = slot
            outputs.append(slot)
        # The batch axis reads as unknown, as in a Functional graph.
        shapes = [_unbatched_shape(t) for t in record.inputs]
        if plan is not None:
            path = f"{path}{layer.name}/"
        self.steps.append(_Step(layer, path, inputs, outputs, shapes, plan=plan))

    def resolve(self, tensor: Any, where: str) -> int | None:
        """The slot holding `tensor`'s value; None for a constant."""
        if isinstance(tensor, keras.Variable) or hasattr(tensor, "assign"):
            return None  # A weight or a state variable: no data flows in.
        key = self.key(tensor)
        if key in self.known:
            return self.known[key]
        if self.graph_mode:
            # Outside the graph (a tensor made eagerly at build time): constant.
            return self._walk(tensor.op) if _is_graph_tensor(tensor) else None
        if keras.ops.is_tensor(tensor):
            self.untraced.append(where)
        return None

    def _walk(self, start: Any) -> int | None:
        stack = [start]
        while stack:
            operation = stack[-1]
            if operation.name in self._operations:
                stack.pop()
                continue
            pending = [
                t.op
                for t in operation.inputs
                if self.key(t) not in self.known and t.op.name not in self._operations
            ]
            if pending and operation.type not in _METADATA_OPS:
                stack.extend(pending)
                continue
            stack.pop()
            self._operations[operation.name] = self._add_operation(operation)
        return self._operations[start.name]

    def _add_operation(self, operation: Any) -> int | None:
        if operation.type in _METADATA_OPS:
            return None
        slots = [
            self.known.get(self.key(t), self._operations.get(t.op.name))
            for t in operation.inputs
        ]
        sources = sorted({slot for slot in slots if slot is not None})
        if not sources:
            return None  # Constants and variables only.
        kind, layer_class, attrs = kinds.tensor_operation(operation.type)
        if (
            kind in (kinds.SHAPE, kinds.UNKNOWN)
            and len(sources) == 1
            and self._slot_kind.get(sources[0]) == kind
        ):
            return sources[0]  # A chain of such operations is one node.
        slot = self.new_slot()
        self._slot_kind[slot] = kind
        inputs: list[int | None] = list(sources)
        self.steps.append(
            _Step(
                None,
                self._path_of(operation.name),
                inputs,
                [slot],
                kind=kind,
                layer_class=layer_class,
                attrs=attrs,
            )
        )
        return slot

    def _path_of(self, operation_name: str) -> str:
        """The op's path: the path of the call whose name scope holds it."""
        scope, _, rest = operation_name.rpartition("/")
        while scope:
            if scope in self.scope_paths:
                return self.scope_paths[scope] + rest
            scope, _, parent = scope.rpartition("/")
            rest = f"{parent}/{rest}"
        return rest


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


LayerCall = Callable[..., Any]


@contextlib.contextmanager
def intercepting_layer_calls(
    wrapper: Callable[[Any, LayerCall, tuple, dict, tuple], Any],
    exclusive: bool = False,
) -> Iterator[None]:
    """Routes every `Layer.__call__` through `wrapper` while the block runs.

    `wrapper(layer, call, args, kwargs, enclosing)` must return the call's
    outputs; `call(*args, **kwargs)` runs the layer, and `enclosing` holds the
    layers whose calls are in progress around this one, outermost first. The
    diagnostics observe batch-norm inputs this way, and subclassed models are
    traced with it. With `exclusive`, `call` runs the layer itself, past any
    interception already in place (a trace nested in another one).
    """
    stack: list[Any] = []
    previous_call = keras.layers.Layer.__call__
    true_call = getattr(previous_call, "_keras_ordering_true_call", previous_call)
    original_call = true_call if exclusive else previous_call

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

    intercepted_call._keras_ordering_true_call = true_call  # type: ignore[attr-defined]
    keras.layers.Layer.__call__ = intercepted_call
    try:
        yield
    finally:
        keras.layers.Layer.__call__ = previous_call


def call_path(layer: Any, enclosing: tuple, root: Any) -> str:
    """The graph path of a layer call: its enclosing layers, the root model
    excepted (some backends call the root's `call` directly, so it may or
    may not be on the stack)."""
    return "/".join([*(o.name for o in enclosing if o is not root), layer.name])


@contextlib.contextmanager
def _recording_calls(
    graph: Any = None, divert: Callable[..., Any] | None = None
) -> Iterator[list[_CallRecord]]:
    """Records every `Layer.__call__` as a tree, with its input and output tensors.

    Tensors are kept alive in the records so that their ids stay unique. With
    a TensorFlow `graph`, each record also keeps the name scope it was called
    in, and `divert(record, args, kwargs)` may stand in for a call below the
    root: its outputs replace the layer's run unless they are None.
    """
    roots: list[_CallRecord] = []
    records: list[_CallRecord] = []

    def record(layer, call, args, kwargs, enclosing):
        parent = records[-1] if records else None
        tensors = [
            t for t in keras.tree.flatten((args, kwargs)) if keras.ops.is_tensor(t)
        ]
        entry = _CallRecord(layer, parent, tensors)
        if graph is not None:
            entry.scope = graph.get_name_scope()
        (parent.children if parent else roots).append(entry)
        records.append(entry)
        try:
            outputs = None
            if graph is not None and divert is not None and parent is not None:
                outputs = divert(entry, args, kwargs)
            if outputs is None:
                outputs = call(*args, **kwargs)
        finally:
            records.pop()
        entry.outputs = list(keras.tree.flatten(outputs))
        return outputs

    with intercepting_layer_calls(record, exclusive=True):
        yield roots


def _placeholders_for(layer: Any, args: tuple, kwargs: dict, sharing: _Sharing) -> Any:
    """Graph placeholders shaped like a layer's outputs; None when unknown."""
    try:
        spec = sharing.leaf_output_spec(layer, args, kwargs)
    except Exception:  # An unusual signature: run the layer instead.
        return None
    return None if spec is None else _graph_placeholders(spec)


def _graph_placeholders(spec: Any) -> Any:
    """`spec` with each KerasTensor replaced by a TensorFlow graph placeholder
    of its shape and dtype: the outputs of a call that is not run."""
    import tensorflow as tf

    return keras.tree.map_structure(
        lambda t: (
            tf.compat.v1.placeholder(t.dtype, t.shape)
            if isinstance(t, keras.KerasTensor)
            else t
        ),
        spec,
    )
