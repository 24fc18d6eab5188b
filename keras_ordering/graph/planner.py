"""A trace's recorded calls -> the steps of its plan (`Planner`).

`trace._plan_call` records the layer calls of one symbolic call; the
`Planner` turns them into `trace._Step`s, in order, with slots for the
tensors between them. In graph mode (TensorFlow) a tensor that no recorded
call produced is walked back through its operations to recorded outputs or
the traced call's inputs. Public Keras API only (`keras.Variable`,
`keras.ops.is_tensor`); layer identity from `graph.identity`, kinds from
`graph.kinds`.
"""

from __future__ import annotations

from typing import Any

import keras

from . import identity, kinds
from .trace import _CallRecord, _is_graph_tensor, _Plan, _Step


def _unbatched_shape(tensor: Any) -> tuple | None:
    """The tensor's shape with the batch axis unknown, as in a Functional
    graph; None when it has no shape."""
    shape = getattr(tensor, "shape", None)
    if shape is None:
        return None
    shape = tuple(shape)
    return (None, *shape[1:]) if shape else shape


# TensorFlow ops whose output is metadata of their input, not its values.
_METADATA_OPS = frozenset({"Shape", "ShapeN", "Rank", "Size", "ZerosLike", "OnesLike"})


class Planner:
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
            layer_class = identity.known_class(type(layer)) or ""
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
