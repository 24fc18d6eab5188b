"""Which class a layer is: Keras' own registration, not the bare class name.

The taxonomy of `graph.kinds` is keyed by class names (`"Dense"`,
`"BNActDropout"`). A name alone is not an identity: a user's own class may be
called `BNActDropout`, and a `BatchNormalization` subclass has a name of its
own. Both graph adapters ask this module which taxonomy class a layer is:

- a saved config (`identity_of_config`) records the registered name
  (`package>Class`, Keras 3 `.h5` files and Keras 2 configs) or the class
  name with its `module` and `registered_name` (Keras 3 `.keras` and JSON);
- a live layer (`identity_of_class`) has its class hierarchy, walked up to
  the nearest class the linter knows.

Each returns the taxonomy class name and the settings that go with it:
`{"subclass": "MyBN"}` for a subclass of a known class, an `opaque_reason`
for a class that only shares a known name, `{"operation": True}` for a
`keras.ops` operation recorded in a Functional graph. `expand.expand` reads
them. Pure Python: no keras import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import kinds

PACKAGE = "keras_ordering"
# This package's layers, registered as `keras_ordering>Class`.
OWN_CLASSES = frozenset({kinds.FUSED_CLASS, *kinds.ALWAYS_ON_NOISE_CLASSES})
# Top-level packages whose classes are Keras' own (Keras 3, Keras 2 and the
# Keras 2 of TensorFlow).
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tensorflow"})


def _is_known_name(name: str) -> bool:
    """Every class name a layer call may be known by: the taxonomy's layers,
    wrappers and nested models. Read from `kinds` on each call, so the
    taxonomy stays the one list."""
    return (
        name in kinds.LAYER_KINDS
        or name in OWN_CLASSES
        or name in kinds.WRAPPER_CLASSES
        or name == "Lambda"
    )


# A config written by `super().get_config()` of BatchNormalization holds
# these keys, which no other Keras layer has all of: a subclass saved to a
# file (whose base classes the file does not record) is a BN by its config.
# Only BN is recognised this way: the other layers' keys are too common.
_CONFIG_SIGNATURES = {
    "BatchNormalization": frozenset(
        {
            "axis",
            "momentum",
            "epsilon",
            "center",
            "scale",
            "moving_mean_initializer",
            "moving_variance_initializer",
        }
    )
}

Identity = tuple[str, dict[str, Any]]

# Why a Lambda is opaque where it is not traced. Its function is never run
# from a file; a live model traces it on TensorFlow like a custom layer.
LAMBDA_IN_FILE = (
    "a Lambda layer runs arbitrary code, and linting a file never runs it; "
    "linting the live model on TensorFlow traces it"
)
LAMBDA_OFF_TENSORFLOW = (
    "a Lambda layer runs arbitrary code; its operations are traced on the "
    "TensorFlow backend only"
)


def _is_keras_module(module: str) -> bool:
    return module.split(".", 1)[0] in KERAS_PACKAGES


def is_keras_module(module: str | None) -> bool:
    """Whether a class or function of `module` is Keras' own (or
    TensorFlow's): not user code."""
    return module is not None and _is_keras_module(module)


def _is_own_module(module: str) -> bool:
    return module.split(".", 1)[0] == PACKAGE


def _owner(name: str) -> str:
    return "this package" if name in OWN_CLASSES else "Keras"


def _foreign(name: str, where: str) -> dict[str, Any]:
    """The opaque reason of a class that only shares a known class's name."""
    return {
        "opaque_reason": (
            f"a class named {name} {where}, not {_owner(name)}'s {name}: "
            "the linter does not know what it computes"
        )
    }


def identity_of_config(layer: Mapping[str, Any]) -> Identity:
    """The taxonomy class of a layer config, and the settings it implies.

    Keras 3 writes `module` (`"keras.layers"`, `"keras.src.ops.numpy"`, the
    defining module of a custom class) and `registered_name`; its `.h5`
    files and Keras 2 write the registered name as `class_name`
    (`"keras_ordering>BNActDropout"`), a bare name for Keras' own classes.
    A bare name without a module is taken for Keras' own class (nothing
    else in such a file tells them apart), except this package's layers:
    Keras always saves them under their registered name, so a bare
    `BNActDropout` is another class of that name.
    """
    class_name = str(layer.get("class_name"))
    package, _, name = class_name.rpartition(">")
    registered = layer.get("registered_name")
    if not package and isinstance(registered, str) and ">" in registered:
        package = registered.rpartition(">")[0]
    module = layer.get("module")
    module = module if isinstance(module, str) and module else None
    if name in OWN_CLASSES:
        if package == PACKAGE or (module is not None and _is_own_module(module)):
            return name, {}
        if package:
            return name, _foreign(name, f"registered as '{package}>{name}'")
        where = f"from module '{module}'" if module else "without a package"
        return name, _foreign(
            name, f"{where} (this package saves it as '{PACKAGE}>{name}')"
        )
    keras_own = not package and (module is None or _is_keras_module(module))
    if _is_known_name(name):
        if keras_own:
            return name, ({"opaque_reason": LAMBDA_IN_FILE} if name == "Lambda" else {})
        where = f"registered as '{package}>{name}'" if package else ""
        return name, _foreign(name, where or f"from module '{module}'")
    if keras_own and name in kinds.OPERATION_NAMES:
        return name, {"operation": True}
    config = layer.get("config")
    if isinstance(config, Mapping):
        for base, keys in _CONFIG_SIGNATURES.items():
            if keys <= config.keys():
                return base, {"subclass": name}
    return name, {}


def _known_base(layer_type: type) -> type | None:
    """The nearest class in `layer_type`'s hierarchy the linter knows."""
    for klass in layer_type.__mro__:
        name, module = klass.__name__, getattr(klass, "__module__", "") or ""
        if name in OWN_CLASSES:
            if _is_own_module(module):
                return klass
        elif _is_known_name(name) and _is_keras_module(module):
            return klass
    return None


def known_class(layer_type: type) -> str | None:
    """The nearest class in `layer_type`'s hierarchy the linter knows (one of
    Keras' or of this package's, by module), or None."""
    base = _known_base(layer_type)
    return None if base is None else base.__name__


def known_class_of(layer: Any) -> str | None:
    """The taxonomy class of a live layer object (`known_class` of its type):
    `"BatchNormalization"` for a BN subclass, None for a foreign class that
    only shares a known name. Rewrites and diagnostics ask this, never
    `type(layer).__name__`."""
    return known_class(type(layer))


def redefined(layer_type: type, methods: Iterable[str]) -> list[str]:
    """The `methods` a subclass defines between `layer_type` and its nearest
    known class: where it may compute something its base does not. Every
    one of them for a class with no known base."""
    base = _known_base(layer_type)
    if base is None:
        return list(methods)
    below = layer_type.__mro__[: layer_type.__mro__.index(base)]
    return [name for name in methods if any(name in vars(k) for k in below)]


def identity_of_class(layer_type: type) -> Identity:
    """The taxonomy class of a live layer's class, and the settings it implies.

    A subclass of a known class is that class (a `BatchNormalization`
    subclass is a BN), with `subclass` naming it. A class that merely shares
    a known name (a user's own `BNActDropout`) is opaque, with a reason.
    """
    name = layer_type.__name__
    known = known_class(layer_type)
    if known is not None:
        return known, ({} if known == name else {"subclass": name})
    if _is_known_name(name):
        module = getattr(layer_type, "__module__", "") or "?"
        return name, _foreign(name, f"from module '{module}'")
    return name, {}


def operation_attributes(
    settings: Mapping[str, Any], tensor_inputs: int
) -> dict[str, Any]:
    """The settings of a `keras.ops` call recorded in a Functional graph
    (`x / 127.5`, `keras.ops.nn.relu(x)`), for `expand.expand`."""
    return {**settings, "operation": True, "tensor_inputs": tensor_inputs}
