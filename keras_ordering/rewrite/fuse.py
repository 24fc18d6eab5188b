"""`fuse_model` and `unfuse_model`: BN -> activation [-> noise] <-> BNActDropout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from ..graph import identity, kinds
from ..graph.activations import activation_argument_of_layer, canonical_activation
from ..graph.from_keras import graph_from_model
from ..graph.graph import Graph
from ..layers.bn_act_dropout import BNActDropout
from ..lint.patterns import LayerPattern, PathPattern
from ._clone import check_rewritable, nested_rewriter, rebuild
from ._plan import Item, RewritePlan
from .change import Change, ChangeList

# BatchNormalization settings BNActDropout takes under the same names.
_BN_KEYS = (
    "axis",
    "momentum",
    "epsilon",
    "center",
    "scale",
    "beta_initializer",
    "gamma_initializer",
    "moving_mean_initializer",
    "moving_variance_initializer",
    "beta_regularizer",
    "gamma_regularizer",
    "beta_constraint",
    "gamma_constraint",
    "synchronized",
)

# Methods whose override makes a subclass compute something else than its
# Keras base: such a layer is not replaced by BNActDropout's parts.
_COMPUTING_METHODS = ("call", "build", "compute_output_shape")

# The pattern: a plain BN feeding only an activation layer; a noise layer the
# activation alone feeds joins the chain. The replacement: one BNActDropout.
FUSABLE = PathPattern(
    start=LayerPattern({kinds.BATCH_NORM}, where=lambda node: node.part is None),
    # An activation layer; a linear one is a shape node in the graph.
    end=LayerPattern(
        {kinds.ACTIVATION, kinds.SHAPE},
        where=lambda node: (
            node.part is None and kinds.kind_of(node.layer_class) == kinds.ACTIVATION
        ),
    ),
)


def fuse_model(
    model: keras.Model, *, return_changes: bool = False
) -> keras.Model | tuple[keras.Model, list[Change]]:
    """Replaces every `BatchNormalization -> activation [-> noise]` chain with
    one `BNActDropout` carrying the same weights.

    A chain qualifies when each layer feeds only the next one and the pieces
    map exactly: an `Activation` layer (any activation), `ReLU` as relu or
    relu6 (`ReLU(max_value=6)`), `ELU(alpha=1)` or `Softmax(axis=-1)`, then
    optionally `Dropout` (with its `noise_shape`), `SpatialDropout1D/2D/3D`
    along the BN's channel axis, or `GaussianDropout`. A chain without noise
    becomes `BNActDropout(rate=0)`. Other BNs are left alone. Inference
    predictions are unchanged (within float rounding); nested models are
    fused recursively; the input model is not changed.

    Args:
        model: a built Sequential or Functional model.
        return_changes: also return the `Change`s, as a `ChangeList` (a
            list that prints and renders in notebooks as a table).

    Raises:
        ValueError: a subclassed or unbuilt model.
    """
    check_rewritable(model, "fuse_model")
    changes: list[Change] = []

    fuse_nested = nested_rewriter(
        lambda nested: fuse_model(nested, return_changes=True), changes
    )

    plan = RewritePlan()
    graph = graph_from_model(model)
    chains = {}
    for match in FUSABLE.matches(graph):
        chain = _fusable_chain(graph, model, *(graph.nodes[i].path for i in match))
        if chain is not None:
            chains[chain[0].name] = chain
    for batch_norm in model.layers:
        # Identity from the class hierarchy: a BN subclass is a BN, a user's
        # class merely named BatchNormalization is not.
        if not kinds.is_batch_norm_class(identity.known_class_of(batch_norm) or ""):
            continue
        redefined = identity.redefined(type(batch_norm), _COMPUTING_METHODS)
        if redefined:
            changes.append(
                Change(
                    "fuse",
                    False,
                    f"'{batch_norm.name}': a {type(batch_norm).__name__} "
                    f"(BatchNormalization subclass) with its own "
                    f"{', '.join(redefined)}: BNActDropout would not compute it",
                    (batch_norm.name,),
                )
            )
            continue
        if batch_norm.name not in chains:
            changes.append(
                Change(
                    "fuse",
                    False,
                    f"'{batch_norm.name}': not followed by a fusable activation",
                    (batch_norm.name,),
                )
            )
            continue
        _replace(plan, *chains[batch_norm.name])
    fused = rebuild(model, plan, fuse_nested)
    changes = plan.changes + changes
    return (fused, ChangeList(changes)) if return_changes else fused


def _factory(cls: type, config: dict[str, Any]) -> Callable[[], keras.layers.Layer]:
    return lambda: cls(**config)


def _known_behaviour(layer: Any) -> str:
    """The taxonomy class of a layer that computes exactly what that class
    does (a subclass changing only defaults counts); "" otherwise."""
    layer_class = identity.known_class_of(layer) or ""
    if identity.redefined(type(layer), _COMPUTING_METHODS):
        return ""
    return layer_class


def _activation_argument(layer: Any) -> Any:
    """The `activation` argument equal to an activation layer, or None."""
    layer_class = _known_behaviour(layer)
    if kinds.kind_of(layer_class) != kinds.ACTIVATION:
        return None
    return activation_argument_of_layer(layer_class, layer.get_config())


def _noise_settings(noise: Any, batch_norm: Any) -> dict[str, Any] | None:
    """BNActDropout's settings equal to a noise layer after `batch_norm`."""
    layer_class = _known_behaviour(noise)
    mode = kinds.FUSED_DROPOUT_MODES.get(layer_class)
    if mode is None:
        return None
    config = noise.get_config()
    settings = {"rate": float(config["rate"]), "dropout": mode, "seed": noise.seed}
    if mode == "standard" and config.get("noise_shape") is not None:
        settings["noise_shape"] = tuple(config["noise_shape"])
    if mode == "spatial":
        # The noise must drop whole maps along the BN's channel axis.
        rank = len(batch_norm.input.shape)
        channels_first = config.get("data_format") == "channels_first"
        if layer_class != kinds.SPATIAL_DROPOUT_CLASSES.get(rank) or (
            batch_norm.axis % rank != (1 if channels_first else rank - 1)
        ):
            return None
    return settings


def _fusable_chain(
    graph: Graph, model: keras.Model, batch_norm_name: str, activation_name: str
) -> tuple[Any, Any, Any] | None:
    """The (BN, activation, noise or None) layers of a match that fuse."""
    if "/" in batch_norm_name + activation_name or not graph.is_linear_chain(
        (batch_norm_name, activation_name)
    ):
        return None
    batch_norm = model.get_layer(batch_norm_name)
    activation = model.get_layer(activation_name)
    if getattr(batch_norm, "renorm", False) or _activation_argument(activation) is None:
        return None
    noise = None
    after = graph.sole_successor(activation_name)
    if after is not None and "/" not in after.path:
        candidate = model.get_layer(after.path)
        if _noise_settings(candidate, batch_norm) is not None:
            noise = candidate
    return batch_norm, activation, noise


def _replace(plan: RewritePlan, batch_norm: Any, activation: Any, noise: Any) -> None:
    """The replacement: one BNActDropout with the BN's weights and name."""
    bn_config = batch_norm.get_config()
    config = {key: bn_config[key] for key in _BN_KEYS if key in bn_config}
    noise_settings = _noise_settings(noise, batch_norm) if noise is not None else None
    config.update(
        name=batch_norm.name,
        dtype=bn_config.get("dtype"),
        activation=_activation_argument(activation),
        **(noise_settings or {}),
    )
    plan.replace[batch_norm.name] = _factory(BNActDropout, config)
    plan.new_weights[batch_norm.name] = batch_norm.get_weights()
    chain = [layer for layer in (activation, noise) if layer is not None]
    plan.skip.update(layer.name for layer in chain)
    names = (batch_norm.name, *(layer.name for layer in chain))
    plan.changes.append(
        Change(
            "fuse",
            True,
            f"{' -> '.join(names)} -> BNActDropout '{batch_norm.name}'",
            names,
        )
    )


def unfuse_model(
    model: keras.Model, *, return_changes: bool = False
) -> keras.Model | tuple[keras.Model, list[Change]]:
    """The exact inverse of `fuse_model`: each `BNActDropout` becomes
    `BatchNormalization -> Activation -> noise layer`, with the same weights,
    for tools that only know stock Keras layers.

    The BN keeps the fused layer's name; the activation and noise layers are
    named `<name>_activation` and `<name>_dropout`. A rate-0 layer gets no
    noise layer and a `None` activation no activation layer.
    """
    check_rewritable(model, "unfuse_model")
    changes: list[Change] = []

    unfuse_nested = nested_rewriter(
        lambda nested: unfuse_model(nested, return_changes=True), changes
    )

    plan = RewritePlan()
    for layer in model.layers:
        if not isinstance(layer, BNActDropout):
            continue
        config = layer.get_config()
        bn_config = {key: config[key] for key in _BN_KEYS if key in config}
        plan.replace[layer.name] = _factory(
            keras.layers.BatchNormalization,
            {**bn_config, "name": layer.name, "dtype": config.get("dtype")},
        )
        plan.new_weights[layer.name] = layer.get_weights()
        added: list[Item] = []
        if canonical_activation(config["activation"]) is not None:
            added.append(
                _factory(
                    keras.layers.Activation,
                    {
                        "activation": config["activation"],
                        "name": f"{layer.name}_activation",
                        "dtype": config.get("dtype"),
                    },
                )
            )
        if layer.rate > 0:
            added.append(_noise_factory(layer, config))
        plan.after[layer.name] = added
        plan.changes.append(
            Change(
                "unfuse",
                True,
                f"BNActDropout '{layer.name}' -> BN, activation"
                f"{', dropout' if layer.rate > 0 else ''}",
                (layer.name,),
            )
        )
    unfused = rebuild(model, plan, unfuse_nested)
    changes = plan.changes + changes
    return (unfused, ChangeList(changes)) if return_changes else unfused


def _noise_factory(layer: BNActDropout, config: dict[str, Any]) -> Callable:
    name, dtype = f"{layer.name}_dropout", config.get("dtype")
    if layer.dropout == "gaussian":
        return _factory(
            keras.layers.GaussianDropout,
            {"rate": layer.rate, "seed": layer.seed, "name": name, "dtype": dtype},
        )
    rank = len(layer.input.shape)
    channel_axis = layer.axis % rank
    settings = {"rate": layer.rate, "seed": layer.seed, "name": name, "dtype": dtype}
    noise_shape = layer.noise_shape
    if layer.dropout == "spatial":
        if rank in (4, 5) or (rank == 3 and channel_axis == 2):
            if rank > 3:
                settings["data_format"] = (
                    "channels_first" if channel_axis == 1 else "channels_last"
                )
            return _factory(
                getattr(keras.layers, kinds.SPATIAL_DROPOUT_CLASSES[rank]), settings
            )
        # One draw per sample and channel, for layouts with no SpatialDropout.
        noise_shape = tuple(
            None
            if axis == 0
            else (layer.input.shape[axis] if axis == channel_axis else 1)
            for axis in range(rank)
        )
    return _factory(keras.layers.Dropout, {**settings, "noise_shape": noise_shape})
