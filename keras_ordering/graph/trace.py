"""Tracing custom layers and subclassed models into plans.

A traced call runs once on symbolic inputs with every layer call recorded
(`_recording_calls`, through the one call interception of
`keras_ordering/_intercept.py`); its data flow becomes a `_Plan`, which the
builder in `from_keras.py` replays into the graph. Plans are shared, safely:

- between **twins** of one model: layers that are provably alike (same
  class, same config, equal instance attributes compared by value, deeply,
  and the same for every sublayer; see `fingerprint`). Anything that cannot
  be compared by value means no sharing and no caching;
- between **lints** of one layer: the plan cache is keyed by the layer, its
  fingerprint and its call's input signature, so a layer whose Python state
  changed is traced again.

Keras private API is not used here: what tracing needs of it (the sublayer
lists, `compute_output_spec`, `is_default`) comes from `from_keras.py`, the
one adapter module, imported late because it imports this one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras

from .._intercept import intercepting_layer_calls
from . import identity, kinds
from .fingerprint import UncomparableError, describe_layer


def _adapter() -> Any:
    """`from_keras`, the module holding every Keras private API use."""
    from . import from_keras

    return from_keras


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


class _Sharing:
    """What one model's traces share: the plans of identical twins, and the
    output specs of identical leaf calls."""

    def __init__(self) -> None:
        # Structure signature and input key -> (sublayers, plan) of a traced
        # layer, for its identical twins in the same model.
        self._twins: dict[Any, tuple[list[Any], _Plan]] = {}
        # Layer id and whether its name counts -> its description: nested
        # blocks are described once, not once per enclosing container.
        self._descriptions: dict[tuple[int, bool], str] = {}
        # Structure signature and arguments key -> a custom leaf's output spec.
        self._leaf_specs: dict[Any, Any] = {}
        # Layer id -> layer, for every layer whose call a trace recorded: only
        # these can hold state a trace left (see `_signature_after_trace`).
        self.called: dict[int, Any] = {}

    def signature(self, layer: Any) -> Any:
        return _structure_signature(layer, self._descriptions)

    def plan(self, layer: Any, key: Any, trace: Callable[[], _Plan]) -> _Plan:
        """`layer`'s plan for a call with input signature `key`.

        Reused when this layer was traced before in the same state, or when
        this model traced a twin: keras-hub stacks identical blocks (12
        encoder layers) that differ only by their own name, so the first
        block's plan, with its sublayers swapped for this block's, is this
        block's plan. A layer whose state cannot be compared is traced every
        time.
        """
        signature = self.signature(layer)
        if signature is None:
            return trace()
        cache_key = (signature, key)
        cached = _PLANS.get(layer, cache_key)
        if cached is not None:
            return cached
        sublayers = _flat_sublayers(layer)
        twin = self._twins.get(cache_key)
        plan = _remapped(twin[1], twin[0], sublayers) if twin is not None else None
        if plan is None:
            plan = trace()
            self._twins[cache_key] = (sublayers, plan)
            # The state the trace left (a call counter, lazily set flags) is
            # the state the next lint finds: the plan is keyed by it too.
            after = self._signature_after_trace(layer)
            if after is not None and after != signature:
                _PLANS.put(layer, (after, key), plan)
        _PLANS.put(layer, cache_key, plan)
        return plan

    def _signature_after_trace(self, layer: Any) -> Any:
        """`layer`'s signature in the state its traces left.

        Only the layers whose calls the traces recorded are described again:
        a layer no trace called (the twins of a block planned once, and their
        sublayers) keeps the description it had before, which is its state.
        Each layer's description in this key is then either the state the
        plan was traced from or the state its trace left, as before.
        """
        memo = {
            key: description
            for key, description in self._descriptions.items()
            if key[0] not in self.called
        }
        return _structure_signature(layer, memo, self._descriptions)

    def leaf_output_spec(self, layer: Any, args: tuple, kwargs: dict) -> Any:
        """KerasTensors shaped like a leaf call's outputs; None when unknown.

        A leaf without `compute_output_shape` (a custom DropPath) is run in
        a scratch graph to learn its output: once per structure and input
        shapes, since identical leaves (one per block) give the same spec.
        """
        if not _adapter().is_default(layer.compute_output_shape):
            return layer.compute_output_spec(*args, **kwargs)
        signature = self.signature(layer)
        if signature is None:
            return None
        key = (signature, _arguments_key(args, kwargs))
        if key not in self._leaf_specs:
            self._leaf_specs[key] = layer.compute_output_spec(*args, **kwargs)
        return self._leaf_specs[key]


class _PlanCache:
    """Plans per traced layer object, fingerprint and input signature: a
    model is traced once, however often it is linted, as long as its layers'
    state stays the same."""

    # Fingerprints kept per layer: a layer switched back and forth between
    # a few states is not traced again, and the cache stays small.
    PER_LAYER = 8

    def __init__(self) -> None:
        self._plans: weakref.WeakKeyDictionary[Any, dict[Any, _Plan]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()  # Lints may run in several threads.

    def get(self, layer: Any, key: Any) -> _Plan | None:
        with self._lock:
            try:
                return self._plans.get(layer, {}).get(key)
            except TypeError:  # Not weakly referenceable.
                return None

    def put(self, layer: Any, key: Any, plan: _Plan) -> None:
        with self._lock:
            try:
                per_layer = self._plans.setdefault(layer, {})
            except TypeError:  # Not weakly referenceable: traced every time.
                return
            if key not in per_layer and len(per_layer) >= self.PER_LAYER:
                per_layer.pop(next(iter(per_layer)))
            per_layer[key] = plan

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


_PLANS = _PlanCache()


def clear_plan_cache() -> None:
    """Forgets every cached plan: the next lint traces again (benchmarks)."""
    _PLANS.clear()


def _flat_sublayers(layer: Any) -> list[Any]:
    return _adapter()._flat_sublayers(layer)


def _structure_signature(
    layer: Any,
    descriptions: dict[tuple[int, bool], str],
    functional_descriptions: dict[tuple[int, bool], str] | None = None,
) -> Any:
    """What decides a layer's traced structure, its own name excepted.

    Its class, config and instance attributes compared by value, and those
    of every sublayer (with the name of every sublayer container, which the
    plan's paths hold; a leaf's name is read at replay). None when any of
    them cannot be compared by value (`fingerprint.UncomparableError`): such a
    layer is never shared and never cached. `descriptions` memoises the
    layers described so far (all alive). `functional_descriptions` memoises
    Functional models apart: a Functional model's description is its config
    (the whole nested graph, so describing each level afresh costs the
    square of the nesting depth) and a trace does not change it, so the
    description taken before a trace serves after it too.
    """
    is_functional = _adapter()._functional_of

    def describe(item: Any, keep_name: bool) -> str:
        memo = (id(item), keep_name)
        known = descriptions
        if functional_descriptions is not None and is_functional(item) is not None:
            known = functional_descriptions
        if memo not in known:
            known[memo] = describe_layer(item, keep_name, _sublayers(item))
        return known[memo]

    try:
        return (
            type(layer),
            describe(layer, keep_name=False),
            tuple(
                (type(sub), describe(sub, keep_name=not _is_leaf(sub)))
                for sub in _flat_sublayers(layer)
            ),
        )
    except (UncomparableError, RecursionError):
        return None
    except Exception:  # Sublayers that cannot be listed: no sharing either.
        return None


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
    adapter = _adapter()
    runs: list[tuple[_CallRecord, list[Any]]] = []
    specs = keras.tree.map_structure(_with_trace_batch, specs)

    def divert(record: _CallRecord, args: tuple, kwargs: dict) -> Any:
        if _is_leaf(record.layer):
            return _placeholders_for(record.layer, args, kwargs, sharing)
        return _plan_container(record, args, kwargs, sharing)

    def traced(inputs):
        flat_inputs = keras.tree.flatten(inputs)
        graph = flat_inputs[0].graph if _is_graph_tensor(flat_inputs[0]) else None
        with _recording_calls(graph, divert, sharing.called) as roots:
            outputs = call(inputs)
        runs.append((roots[0], flat_inputs))
        return outputs

    try:
        output_spec = adapter.compute_output_spec(traced, specs)
    except Exception:
        # Some calls need concrete values (Python control flow on a tensor):
        # run once on zeros, statelessly, without a graph to walk.
        runs.clear()
        zeros = keras.tree.map_structure(
            lambda t: keras.ops.zeros(_concrete(t.shape), dtype=t.dtype), specs
        )
        with keras.StatelessScope(), _recording_calls(called=sharing.called) as roots:
            outputs = call(zeros)
        runs.append((roots[0], keras.tree.flatten(zeros)))
        output_spec = None
    record, flat_inputs = runs[-1]
    from .planner import Planner  # It imports this module.

    planner = Planner(_is_graph_tensor(flat_inputs[0]))
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
        plan = sharing.plan(layer, key, lambda: _plan_call(layer, call, specs, sharing))
    except Exception:  # Run it in place instead.
        return None
    if plan.output_spec is None:
        return None
    record.plan = plan
    record.inputs = tensors
    return _graph_placeholders(plan.output_spec)


def _sublayers(layer: Any) -> list[Any]:
    return _adapter()._sublayers(layer)


def _is_leaf(layer: Any) -> bool:
    """A layer the graph shows as one node (not a container to look into)."""
    adapter = _adapter()
    layer_class = identity.known_class(type(layer)) or ""
    return (
        kinds.LAYER_KINDS.get(layer_class) is not None
        or layer_class in kinds.WRAPPER_CLASSES
        or layer_class == kinds.FUSED_CLASS
        or not adapter._sublayers(layer)
    ) and adapter._functional_of(layer) is None


def _is_graph_tensor(tensor: Any) -> bool:
    """A tensor of a TensorFlow graph, whose producing op can be walked."""
    return hasattr(tensor, "op") and hasattr(getattr(tensor, "op", None), "inputs")


def _concrete(shape: Sequence[int | None]) -> tuple[int, ...]:
    # Batch 1 and length 2 for unknown sizes: enough to run any layer once.
    return tuple((1 if i == 0 else 2) if d is None else d for i, d in enumerate(shape))


@contextlib.contextmanager
def _recording_calls(
    graph: Any = None,
    divert: Callable[..., Any] | None = None,
    called: dict[int, Any] | None = None,
) -> Iterator[list[_CallRecord]]:
    """Records every `Layer.__call__` as a tree, with its input and output tensors.

    Tensors are kept alive in the records so that their ids stay unique. With
    a TensorFlow `graph`, each record also keeps the name scope it was called
    in, and `divert(record, args, kwargs)` may stand in for a call below the
    root: its outputs replace the layer's run unless they are None. Only this
    thread's calls are recorded. `called` collects every recorded layer, by id.
    """
    roots: list[_CallRecord] = []
    records: list[_CallRecord] = []

    def record(layer, call, args, kwargs, enclosing):
        parent = records[-1] if records else None
        tensors = [
            t for t in keras.tree.flatten((args, kwargs)) if keras.ops.is_tensor(t)
        ]
        entry = _CallRecord(layer, parent, tensors)
        if called is not None:
            called[id(layer)] = layer
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
