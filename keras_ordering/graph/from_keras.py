"""Live Keras model -> neutral `Graph`.

The ONLY module of the package that touches Keras' private API
(`_nodes_by_depth`, `_inputs`, `_functional`, `_layers`, `_flatten_layers`,
`keras.src.backend.compute_output_spec`, `keras.src.utils.is_default`, the
global seed generator of `keras.src.backend.common.global_state`, the loss
objects of `keras.src.trainers.compile_utils.get_loss`).
Tracing (`graph/trace.py`) reads what it needs of that API through the
small adapter functions at the end of this module. Everything it reads
goes through `graph.kinds`, exactly as the static config reader does, so a
live model and its saved file give identical graphs.

Custom layers with sublayers and subclassed models are traced: one symbolic
call records the sublayer calls and, on TensorFlow, the tensor operations
between them (see `trace._plan_call` and docs/linter-graph.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import keras
from keras.src.models.functional import Functional

# Re-exported: they lived here before `keras_ordering/_intercept.py`.
from .._intercept import call_path as call_path
from .._intercept import intercepting_layer_calls as intercepting_layer_calls
from . import build, expand, identity, kinds
from .graph import Graph
from .losses import losses_per_output
from .trace import (
    _arguments_key,
    _Plan,
    _plan_call,
    _Sharing,
    _specs_like_shape,
)

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
        view = _LiveModel(functional, sequential=False, views=builder.views)
        outputs = builder.model(view, input_producers, prefix="")
        output_names = [_producer_name(t) for t in functional.outputs]
    elif isinstance(model, keras.Sequential):
        input_producers = builder.add_inputs([None], ["input"])
        view = _LiveModel(model, sequential=True, views=builder.views)
        outputs = builder.model(view, input_producers, prefix="")
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
    with warnings.catch_warnings():
        # Serializing the optimizer warns on some backend / numpy pairs
        # (PyTorch variables under numpy 2.4): Keras' business, not the
        # user's, and an error under `-W error`.
        warnings.simplefilter("ignore", DeprecationWarning)
        compile_config = model.get_compile_config() or {}
    return losses_per_output(compile_config.get("loss"), output_names)


def layer_attributes(layer: Any, facts: _ClassFacts | None = None) -> dict[str, Any]:
    """The raw settings `expand.expand` reads, taken from layer attributes.

    `facts` are those of the layer's class, when the caller has them."""
    if facts is None:
        facts = _ClassFacts(type(layer))
    instance = getattr(layer, "__dict__", None) if facts.plain else None
    if instance is None:
        names: tuple[str, ...] = expand.LAYER_ATTRIBUTE_NAMES
        attrs: dict[str, Any] = {}
    else:
        # As `getattr`, without its lookup through the class hierarchy: a
        # name no class defines is an instance attribute or none at all.
        names = facts.class_names
        attrs = {
            name: instance[name] for name in facts.instance_names if name in instance
        }
    for name in names:
        value = getattr(layer, name, _MISSING)
        if value is not _MISSING:
            attrs[name] = value
    if "noise_shape" in attrs and attrs["noise_shape"] is not None:
        attrs["noise_shape"] = tuple(attrs["noise_shape"])
    if facts.learns_statistics and holds_statistics(layer) is False:
        attrs["adapted"] = False  # Only a live layer knows (KO304).
    return attrs


_MISSING = object()


class _ClassFacts:
    """What a build reads of one layer class, worked out once per class per
    build (`_Views`): its identity, where its settings live and whether it
    learns statistics. Never kept longer: a class can be patched between
    two lints (its `__module__`, the taxonomy)."""

    __slots__ = (
        "class_names",
        "identity",
        "instance_names",
        "is_layer",
        "is_model",
        "lambda_function",
        "learns_statistics",
        "may_contain",
        "plain",
    )

    def __init__(self, layer_type: type):
        self.identity = identity.identity_of_class(layer_type)
        self.is_layer = issubclass(layer_type, keras.layers.Layer)
        self.is_model = issubclass(layer_type, keras.Model)
        layer_class, found = self.identity
        # A Lambda (not a foreign class of that name) is traced; so is an
        # unknown (or foreign) class with sublayers (`_Builder.leaf`).
        self.lambda_function = layer_class == "Lambda" and not found
        self.may_contain = (
            not kinds.is_known_class(layer_class) or "opaque_reason" in found
        )
        mro = layer_type.__mro__
        # The settings a class defines (properties: read through `getattr`)
        # and the others (instance attributes, or absent).
        defined = set().union(*(vars(klass) for klass in mro))
        on_class = defined.intersection(expand.LAYER_ATTRIBUTE_NAMES)
        self.class_names = tuple(
            name for name in expand.LAYER_ATTRIBUTE_NAMES if name in on_class
        )
        self.instance_names = tuple(
            name for name in expand.LAYER_ATTRIBUTE_NAMES if name not in on_class
        )
        # No custom attribute lookup: the instance dict is the whole story.
        self.plain = not any(
            "__getattr__" in vars(klass) or "__getattribute__" in vars(klass)
            for klass in mro[:-1]  # Below `object`.
        )
        preprocessing = keras.layers
        self.learns_statistics = issubclass(
            layer_type,
            (
                preprocessing.Normalization,
                preprocessing.StringLookup,
                preprocessing.IntegerLookup,
                preprocessing.TextVectorization,
            ),
        )


def holds_statistics(layer: Any) -> bool | None:
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


class _LiveModel:
    """A built Functional model (or an unbuilt Sequential one), as a
    `build.ModelView`: its nodes by depth, tensors keyed by id."""

    def __init__(
        self,
        model: Any,
        sequential: bool,
        views: _Views | None = None,
    ):
        self.model = model
        self.sequential = sequential
        self.key: Hashable = id(model)
        self.views = _Views() if views is None else views
        self.view = self.views.view

    def input_keys(self) -> list[Hashable]:
        return [id(t) for t in self.model._inputs]

    def output_keys(self) -> list[Hashable]:
        return [id(t) for t in self.model._outputs]

    def input_last_dim(self) -> int | None:
        return None  # Tensors carry their shapes.

    def _nodes(self) -> Iterator[Any]:
        return _graph_nodes(self.model)

    def calls(self) -> Iterator[build.CallView]:
        view, call_view = self.view, build.CallView
        if self.sequential:
            for layer in self.model.layers:
                if not isinstance(layer, keras.layers.InputLayer):
                    yield call_view(view(layer), [], None, {}, [None])
            return
        for node in self._nodes():
            arguments = node.arguments
            inputs = arguments.keras_tensors  # As `node.input_tensors`.
            yield call_view(
                view(node.operation),
                [id(t) for t in inputs],
                node.outputs,
                getattr(arguments, "kwargs", None) or {},
                [None if t.shape is None else tuple(t.shape) for t in inputs],
                arguments,
            )

    def listed(self) -> tuple[int, list[build.ModelView]]:
        if self.sequential:
            operations = [
                layer
                for layer in self.model.layers
                if not isinstance(layer, keras.layers.InputLayer)
            ]
        else:
            operations = [node.operation for node in self._nodes()]
        nested = []
        for operation in dict.fromkeys(operations):
            view = self.view(operation)
            model = view.nested or (view.wrapped.nested if view.wrapped else None)
            if model is not None:
                nested.append(model)
        return len(operations), nested

    def store(
        self, tensors: dict[Hashable, Producers], call: build.CallView, outputs: list
    ) -> None:
        if len(call.outputs) == 1:  # The common case.
            tensors[id(call.outputs[0])] = outputs[0] if outputs else []
            return
        for index, tensor in enumerate(call.outputs):
            group = outputs[min(index, len(outputs) - 1)] if outputs else []
            tensors[id(tensor)] = group

    def read(self, tensors: dict[Hashable, Producers], key: Hashable) -> Any:
        return tensors.get(key, [])


class _Views:
    """The layer views of one build, made once per layer (by id: layers stay
    alive), and the facts of each layer class, once per class. Shared by
    the nested models of one build: a nested model called again reuses its
    views."""

    def __init__(self) -> None:
        self.layers: dict[int, build.LayerView] = {}
        self.classes: dict[type, _ClassFacts] = {}

    def facts(self, layer_type: type) -> _ClassFacts:
        facts = self.classes.get(layer_type)
        if facts is None:
            facts = self.classes[layer_type] = _ClassFacts(layer_type)
        return facts

    def view(self, operation: Any) -> build.LayerView:
        """One layer (or recorded tensor operation) as the builder sees it."""
        view = self.layers.get(id(operation))
        if view is None:
            view = self.layers[id(operation)] = self._new(operation)
        return view

    def _new(self, operation: Any) -> build.LayerView:
        name = operation.name
        facts = self.facts(type(operation))
        if not facts.is_layer:
            # A keras.ops call recorded in a Functional graph (`x + y`, ...).
            return build.LayerView(
                name,
                type(operation).__name__,
                layer_attributes(operation, facts),
                operation=True,
                source=operation,
            )
        layer_class, found = facts.identity
        if facts.is_model:
            functional = _functional_of(operation)
            if functional is not None:
                nested = _LiveModel(functional, sequential=False, views=self)
                return build.LayerView(
                    name, layer_class, key=id(operation), nested=nested
                )
            if isinstance(operation, keras.Sequential):
                nested = _LiveModel(operation, sequential=True, views=self)
                return build.LayerView(
                    name, layer_class, key=id(operation), nested=nested
                )
        wrapped = None
        if layer_class in kinds.WRAPPER_CLASSES and not found.get("opaque_reason"):
            # Bidirectional serializes its forward layer as "layer".
            wrapped = self.view(
                getattr(operation, "forward_layer", None) or operation.layer
            )
        attrs = layer_attributes(operation, facts)
        if found:
            attrs.update(found)
        # What `_Builder.leaf` may trace: a Lambda (not a foreign class of
        # that name), or an unknown (or foreign) class with sublayers.
        custom = facts.lambda_function or (
            facts.may_contain and bool(_sublayers(operation))
        )
        return build.LayerView(
            name,
            layer_class,
            attrs,
            key=id(operation),
            wrapped=wrapped,
            source=operation,
            custom=custom,
        )


class _Builder(build.Builder):
    """The builder, with the tracing of subclassed models and custom layers
    with sublayers (live only)."""

    def __init__(self, graph: Graph):
        super().__init__(graph)
        self.sharing = _Sharing()
        self.views = _Views()
        # Replays of traced plans, bounded as nested models' calls are: the
        # steps replayed, and the steps of the distinct plans seen.
        self._steps_replayed = 0
        self._plan_steps = 0
        self._plans_counted: set[int] = set()

    def add_inputs(
        self, tensors: Sequence[Any], names: Sequence[str] | None
    ) -> list[Producers]:
        names = list(names or [])
        return self.add_input_nodes(
            [
                names[index] if index < len(names) else f"input_{index}"
                for index in range(len(tensors))
            ]
        )

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
        kwargs = getattr(call_arguments, "kwargs", None)
        call = enclosing_call or build.call_arguments(kwargs, path)
        return self.call(
            self.views.view(layer),
            producers,
            prefix,
            input_shapes,
            call,
            None,
            call_arguments,
        )

    def custom_leaf(
        self,
        layer: build.LayerView,
        producers: list[Producers],
        path: str,
        input_shapes: list[Any],
        call: dict[str, Any],
        last_dim: int | None,
        arguments: Any,
        extra: Mapping[str, Any] | None = None,
        merged: Producers | None = None,
    ) -> list[Producers] | None:
        """A custom layer with sublayers is traced, and a Lambda where its
        ops show (on TensorFlow, see `planner.Planner`); others are one node."""
        source = layer.source
        facts = self.views.facts(type(source))
        traced_function = facts.lambda_function
        if traced_function and keras.backend.backend() != "tensorflow":
            traced_function = False
            extra = {"opaque_reason": identity.LAMBDA_OFF_TENSORFLOW}
        if (
            facts.may_contain
            and (_sublayers(source) or traced_function)
            and arguments is not None
        ):
            try:
                return self.trace_layer(source, arguments, producers, path + "/")
            except Exception as error:  # An untraceable layer stays opaque.
                extra = {"opaque_reason": f"tracing failed: {error}"}
        return super().leaf(
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
        plan = self.sharing.plan(
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
        plan = self.sharing.plan(
            layer,
            key,
            lambda: _plan_call(layer, call, keras_tensors, self.sharing),
        )
        return self.replay(plan, producers, prefix)

    def replay(
        self, plan: _Plan, input_producers: list[Producers], prefix: str
    ) -> list[Producers]:
        """Adds the nodes of a traced call to the graph, below `prefix`."""
        self._count_plans(plan)
        slots: dict[int, Producers] = dict(enumerate(input_producers))
        for step in plan.steps:
            self._steps_replayed += 1
            producers = [slots.get(s, []) if s is not None else [] for s in step.inputs]
            if step.plan is not None:
                outputs = self._replay_container(step, producers, prefix + step.path)
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

    def _replay_container(
        self, step: Any, producers: list[Producers], prefix: str
    ) -> list[Producers]:
        """A container call with its own plan (a nested model or block called
        inside a traced call), bounded as `build.Builder.nested` bounds a
        nested model's calls: the same plan (the same layer called again on
        the same input signature) is replayed in full at its first call, and
        again only while the steps replayed stay within `REPEAT_FACTOR` times
        the steps of the distinct plans plus `REPEAT_SLACK`; past that, a
        later call is one opaque node naming the call it repeats. A model
        built as `m_k = m_{k-1}(m_{k-1}(x))` inside a custom layer's call
        then gives a graph linear in k, not 2**k nodes."""
        plan = step.plan
        path = prefix.rstrip("/")
        context = ("plan", id(plan))
        first = self._expanded.get(context)
        budget = build.REPEAT_FACTOR * self._plan_steps + build.REPEAT_SLACK
        if first is not None and self._steps_replayed + first[1] > budget:
            view = self.views.view(step.layer)
            node = self._repeat(view, path, first[0], producers)
            return [node for _ in plan.outputs]
        before = self._steps_replayed
        outputs = self.replay(plan, producers, prefix)
        if first is None:
            self._expanded[context] = (path, self._steps_replayed - before)
        return outputs

    def _count_plans(self, plan: _Plan) -> None:
        """Adds the steps of `plan` and of the plans below it, each distinct
        plan once, to the size the replay budget is a multiple of."""
        stack = [plan]
        while stack:
            current = stack.pop()
            if id(current) in self._plans_counted:
                continue
            self._plans_counted.add(id(current))
            self._plan_steps += len(current.steps)
            stack.extend(s.plan for s in current.steps if s.plan is not None)


def _sublayers(layer: Any) -> list[Any]:
    return list(getattr(layer, "_layers", None) or [])


# --- What tracing (graph/trace.py) needs of Keras' private API -------------


def _flat_sublayers(layer: Any) -> list[Any]:
    """Every sublayer below `layer`, depth first, in Keras' tracking order."""
    return list(layer._flatten_layers(include_self=False, recursive=True))


def all_layers(model: Any) -> list[Any]:
    """`model` and every layer inside it, parents before their sublayers."""
    return [model, *_flat_sublayers(model)]


def graph_calls(model: Any) -> Iterator[tuple[Any, tuple, dict]]:
    """`(operation, args, kwargs)` of every call in the graph of a
    Functional or Sequential `model` (none for another model): the
    arguments as the graph will pass them, functions included
    (`keras.ops.map(fn, x)`)."""
    functional = _functional_of(model)
    for node in [] if functional is None else _graph_nodes(functional):
        arguments = node.arguments
        yield (
            node.operation,
            tuple(getattr(arguments, "args", ()) or ()),
            dict(getattr(arguments, "kwargs", None) or {}),
        )


def _graph_nodes(functional: Any) -> Iterator[Any]:
    """The call nodes of a Functional graph, inputs first."""
    nodes_by_depth = functional._nodes_by_depth
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if not node.is_input and node.operation is not None:
                yield node


def compute_output_spec(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs `function` on symbolic inputs with the backend's own machinery."""
    from keras.src.backend import compute_output_spec as backend_output_spec

    return backend_output_spec(function, *args, **kwargs)


def is_default(method: Any) -> bool:
    """True when `method` is Keras' default (`compute_output_shape`, ...)."""
    from keras.src.utils.python_utils import is_default as keras_is_default

    return keras_is_default(method)


def global_seed_generator() -> Any:
    """The process's global `SeedGenerator` (what `keras.random` draws from
    without a seed), None before its first use."""
    from keras.src.backend.common import global_state

    return global_state.get_global_attribute("global_seed_generator")


def compiled_loss_object(identifier: Any, y_true: Any, y_pred: Any) -> Any:
    """The `keras.losses.Loss` that `fit` computes for one output compiled
    with `identifier` (a name, a function or a `Loss`): a function becomes
    a `LossFunctionWrapper`, which matches the labels' rank to the
    output's, and `"crossentropy"` picks binary, sparse or categorical from
    the labels, as Keras' `compile_utils.get_loss` does."""
    from keras.src.trainers.compile_utils import get_loss

    return get_loss(identifier, y_true, y_pred)
