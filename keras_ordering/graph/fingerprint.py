"""Layer fingerprints: what decides a traced layer's structure, by value.

Two layers share a trace only when their fingerprints are equal (see
`trace._structure_signature`), and a cached trace is keyed by its layer's
fingerprint. A fingerprint holds a layer's class, its `get_config()` and
its instance attributes, each compared by value, deeply: through lists,
tuples, dicts, sets, dataclasses, namedtuples, enums, Keras objects with a
config (initializers, dtype policies, ...) and nested layers (by their
position among the layer's sublayers, whose own fingerprints are part of
the container's). A value that cannot be compared this way raises
`UncomparableError`: such a layer is never shared and never cached.

What deliberately does not count:

- a layer's own name (a container's sublayer names do: the plan's paths
  hold them; a leaf's name is read when the plan is replayed);
- the bookkeeping Keras keeps on every layer (nodes, losses, call flags,
  TensorFlow's `_self_*` checkpoint tracking) and on every Functional
  model (its symbolic graph: its config describes it);
- weights and other variables by value (their shape and dtype count):
  tracing is symbolic, so values never shape a trace;
- random seed generators: their state is random by design and tracing
  draws nothing;
- noise rates (`rate`, `stddev`, `*drop*`) count only as zero or not:
  blocks on a drop-path schedule (Swin, SegFormer) are traced alike, and
  each twin's own rates are read from its own layers at replay;
- functions and classes count by identity: by their importable name when
  they have one, else by a token that is never reused.

Keras' own common layers (`_config_is_attributes`) are not asked for their
`get_config()`: theirs is written from their instance attributes, compared
here anyway, and from the base layer's trainable flag, dtype policy and
activity regularizer, which are taken instead. Serializing the config was
most of a fingerprint's cost, and every lint fingerprints every traced
layer.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import itertools
import sys
import types
import weakref
from typing import Any

import keras
import numpy as np


class UncomparableError(Exception):
    """A value that cannot be compared by value: its layer is not shared."""


@functools.cache
def _keras_bookkeeping() -> frozenset[str]:
    """Attributes Keras itself keeps on every layer (nodes, losses, flags)
    and on every Functional model (its symbolic graph, which its config
    describes). Attributes named `_self_*` are bookkeeping too: TensorFlow's
    checkpoint tracking, set lazily on TF layers."""
    probe = keras.layers.Layer(name="keras_ordering_probe")  # Named: no uid used.
    inputs = keras.Input((1,), name="keras_ordering_probe_input")
    functional = keras.Model(  # Named: no uid used, later auto-names unchanged.
        inputs,
        keras.layers.Identity(name="keras_ordering_probe_identity")(inputs),
        name="keras_ordering_probe_model",
    )
    return frozenset(vars(probe)) | frozenset(vars(functional)) | {"_build_shapes_dict"}


# Subpackages of `keras.src.layers` whose layers' `get_config()` reads only
# instance attributes and `Layer.get_config`'s trainable, dtype policy and
# activity regularizer (checked against Keras 3 source). Not preprocessing
# (vocabularies and statistics live in tables and variables) nor recurrent
# layers (their config reads their cell's).
_CONFIG_FROM_ATTRIBUTES = tuple(
    f"keras.src.layers.{package}."
    for package in (
        "activations",
        "attention",
        "convolutional",
        "core",
        "merging",
        "normalization",
        "pooling",
        "regularization",
        "reshaping",
    )
)


_CONFIG_IS_ATTRIBUTES: dict[type, bool] = {}


def _config_is_attributes(layer_type: type) -> bool:
    """A Keras class itself (not a subclass elsewhere) of those subpackages."""
    found = _CONFIG_IS_ATTRIBUTES.get(layer_type)
    if found is None:
        found = _CONFIG_IS_ATTRIBUTES[layer_type] = layer_type.__module__.startswith(
            _CONFIG_FROM_ATTRIBUTES
        )
    return found


def _config_of(layer: Any) -> dict[str, Any] | None:
    """What decides `layer.get_config()` besides its attributes; None when it
    has no config."""
    if _config_is_attributes(type(layer)):
        return {
            "trainable": layer.trainable,
            "dtype": layer.dtype_policy,
            "activity_regularizer": layer.activity_regularizer,
        }
    try:
        return dict(layer.get_config())
    except Exception:  # No config (keras-hub's ViT MLP): attributes tell.
        return None


def describe_layer(layer: Any, keep_name: bool, sublayers: list[Any]) -> str:
    """One layer's fingerprint, its sublayers' own fingerprints excepted.

    `sublayers` are the layer's direct sublayers: an attribute holding one
    of them counts by its position there.

    Raises:
        UncomparableError: a config entry or attribute cannot be compared.
    """
    facts = _Facts(layer, sublayers)
    config = _config_of(layer)
    if config is not None:
        config.pop("name", None)
        config = _without_rates(config)
    bookkeeping = _keras_bookkeeping()
    attributes = _without_rates(
        {
            key: value
            for key, value in vars(layer).items()
            if key not in bookkeeping and not key.startswith("_self_")
        }
    )
    name = layer.name if keep_name else None
    return repr(
        (
            name,
            facts.of(config),
            tuple((key, facts.of(attributes[key])) for key in sorted(attributes)),
        )
    )


def _is_rate(key: str) -> bool:
    return key in ("rate", "stddev") or "drop" in key


def _without_rates(settings: dict[str, Any]) -> dict[str, Any]:
    """Noise rates count only as zero or not (see the module docstring)."""
    found = None
    for key, value in settings.items():
        if type(value) in (int, float) and _is_rate(key):
            if found is None:
                found = dict(settings)
            found[key] = bool(value)
    return settings if found is None else found


# Functions and classes without an importable name count by a token of
# their identity; tokens are never reused, unlike `id()`.
_tokens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_next_token = itertools.count()

_SCALARS = (bool, int, float, complex, bytes)
_SCALAR_NAMES = {kind: kind.__name__ for kind in _SCALARS}
_MAX_DEPTH = 64
_MAX_ARRAY_SIZE = 1 << 20  # Elements of a constant compared by its bytes.


class _Facts:
    """Hashable, repr-comparable facts of values held by `owner`."""

    def __init__(self, owner: Any, sublayers: list[Any]) -> None:
        self.owner = owner
        self.position = {id(layer): index for index, layer in enumerate(sublayers)}

    def of(self, value: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise UncomparableError("nested too deeply")
        kind = type(value)
        if value is None or kind is str:
            return value
        if kind in _SCALAR_NAMES:  # The exact types: the common case, first.
            return (_SCALAR_NAMES[kind], value)
        if isinstance(value, _SCALARS):
            return (kind.__name__, value)
        inner = depth + 1
        if kind is list or kind is tuple:  # The common containers, first.
            return (kind.__name__, tuple(self.of(v, inner) for v in value))
        if kind is dict:
            return (
                "dict",
                tuple((self.of(k, inner), self.of(v, inner)) for k, v in value.items()),
            )
        if isinstance(value, np.generic):
            return (type(value).__name__, value.item())
        if isinstance(value, enum.Enum):
            return ("enum", _identity(type(value)), value.name)
        if isinstance(value, keras.layers.Layer):
            if id(value) not in self.position:
                raise UncomparableError(f"a layer that is not a sublayer: {value.name}")
            return ("sublayer", self.position[id(value)])
        if isinstance(value, keras.Variable) or hasattr(value, "assign"):
            return ("variable", _shape(value), str(value.dtype))
        if isinstance(value, keras.KerasTensor):  # Symbolic: no value yet.
            return ("symbolic", _shape(value), str(value.dtype))
        if isinstance(value, keras.random.SeedGenerator):
            return ("seed generator",)
        if isinstance(value, np.ndarray):
            return _array_fact(value)
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return (
                "namedtuple",
                _identity(type(value)),
                tuple(self.of(v, inner) for v in value),
            )
        if isinstance(value, (list, tuple)):
            label = "list" if isinstance(value, list) else "tuple"
            return (label, tuple(self.of(v, inner) for v in value))
        if isinstance(value, dict):
            return (
                "dict",
                tuple((self.of(k, inner), self.of(v, inner)) for k, v in value.items()),
            )
        if isinstance(value, (set, frozenset)):
            return ("set", tuple(sorted(repr(self.of(v, inner)) for v in value)))
        if isinstance(value, (range, slice)):
            return (type(value).__name__, repr(value))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = getattr(value, "__dict__", None) or {
                f.name: getattr(value, f.name) for f in dataclasses.fields(value)
            }
            return (
                "dataclass",
                _identity(type(value)),
                tuple((k, self.of(v, inner)) for k, v in sorted(fields.items())),
            )
        if isinstance(value, functools.partial):
            return (
                "partial",
                self.of(value.func, inner),
                self.of(value.args, inner),
                self.of(value.keywords, inner),
            )
        if isinstance(value, types.MethodType):
            bound = value.__self__
            target = "self" if bound is self.owner else self.of(bound, inner)
            return ("method", target, _identity(value.__func__))
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            return ("object", _identity(value))
        get_config = getattr(value, "get_config", None)
        if callable(get_config):
            try:
                config = get_config()
            except Exception as error:
                raise UncomparableError(
                    f"{type(value).__qualname__}: {error}"
                ) from error
            return ("config", _identity(type(value)), self.of(config, inner))
        # Last: TensorFlow's check is slow (a Protocol), and rarely needed.
        if keras.ops.is_tensor(value):
            return _array_fact(value)
        raise UncomparableError(f"cannot compare a {type(value).__qualname__} by value")


def _shape(value: Any) -> Any:
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def _array_fact(value: Any) -> Any:
    """A constant array by its dtype, shape and bytes."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value))
    except Exception as error:  # A symbolic tensor has no value to compare.
        raise UncomparableError(f"a tensor without a value: {error}") from error
    if array.dtype == object or array.size > _MAX_ARRAY_SIZE:
        raise UncomparableError("an array too large or of objects")
    digest = hashlib.blake2b(np.ascontiguousarray(array).tobytes()).hexdigest()
    return ("array", array.dtype.str, array.shape, digest)


def _reference(target: Any) -> str:
    """The importable name of a class or function that has one."""
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None)
    if module and qualname and "<" not in qualname:
        found: Any = sys.modules.get(module)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if found is target:
            return f"{module}.{qualname}"
    raise UncomparableError(f"{target!r} has no importable name")


def _identity(target: Any) -> str:
    """A function or class: its importable name, else an identity token."""
    try:
        return _reference(target)
    except UncomparableError:
        pass
    try:
        token = _tokens.get(target)
        if token is None:
            token = _tokens.setdefault(target, next(_next_token))
    except TypeError as error:  # Not weakly referenceable.
        raise UncomparableError(f"{target!r} cannot be told apart") from error
    return f"<object {token}>"
