"""`fuse_model` and `unfuse_model`: BN -> activation [-> noise] <-> BNActDropout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import keras

from ..graph.from_keras import graph_from_model
from ..graph.graph import Graph
from ..layers.bn_act_dropout import BNActDropout
from ._clone import _Plan, check_rewritable, nested_rewriter, rebuild, sole_successor
from .change import Change

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
_SPATIAL = {3: "SpatialDropout1D", 4: "SpatialDropout2D", 5: "SpatialDropout3D"}


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
        return_changes: also return the list of `Change`s.

    Raises:
        ValueError: a subclassed or unbuilt model.
    """
    check_rewritable(model, "fuse_model")
    changes: list[Change] = []

    fuse_nested = nested_rewriter(
        lambda nested: fuse_model(nested, return_changes=True), changes
    )

    plan = _Plan()
    graph = graph_from_model(model)
    for batch_norm in model.layers:
        if type(batch_norm).__name__ != "BatchNormalization":
            continue
        chain = _fusable_chain(graph, model, batch_norm)
        if chain is None:
            changes.append(
                Change(
                    "fuse",
                    False,
                    f"'{batch_norm.name}': not followed by a fusable activation",
                    (batch_norm.name,),
                )
            )
            continue
        activation_layer, noise_layer = chain
        config = _fused_config(batch_norm, activation_layer, noise_layer)
        plan.replace[batch_norm.name] = _factory(BNActDropout, config)
        plan.new_weights[batch_norm.name] = batch_norm.get_weights()
        plan.skip.update(layer.name for layer in chain if layer is not None)
        names = tuple(layer.name for layer in (batch_norm, *chain) if layer is not None)
        plan.changes.append(
            Change(
                "fuse",
                True,
                f"{' -> '.join(names)} -> BNActDropout '{batch_norm.name}'",
                names,
            )
        )
    fused = rebuild(model, plan, fuse_nested)
    changes = plan.changes + changes
    return (fused, changes) if return_changes else fused


def _factory(cls: type, config: dict[str, Any]) -> Callable[[], keras.layers.Layer]:
    return lambda: cls(**config)


def _single_successor(graph: Graph, name: str) -> str | None:
    node = sole_successor(graph, name)
    return None if node is None else node.path


def _activation_name(layer: Any) -> Any:
    """The `activation` argument equal to an activation layer, or None."""
    name = type(layer).__name__
    if name == "Activation":
        return layer.get_config()["activation"]
    if name == "ReLU":
        if layer.threshold or layer.negative_slope:
            return None
        if layer.max_value is None:
            return "relu"
        return "relu6" if float(layer.max_value) == 6.0 else None
    if name == "ELU":
        return "elu" if float(layer.alpha) == 1.0 else None
    if name == "Softmax":
        return "softmax" if layer.axis == -1 else None
    return None


def _noise_settings(noise: Any, batch_norm: Any) -> dict[str, Any] | None:
    name = type(noise).__name__
    rate = float(getattr(noise, "rate", 0.0))
    if name == "Dropout":
        settings = {"rate": rate, "dropout": "standard", "seed": noise.seed}
        if noise.noise_shape is not None:
            settings["noise_shape"] = tuple(noise.noise_shape)
        return settings
    if name in _SPATIAL.values():
        rank = len(batch_norm.input.shape)
        channel_axis = batch_norm.axis % rank
        expected = 1 if noise.data_format == "channels_first" else rank - 1
        if name != "SpatialDropout1D" and channel_axis != expected:
            return None
        if name == "SpatialDropout1D" and channel_axis != rank - 1:
            return None
        return {"rate": rate, "dropout": "spatial", "seed": noise.seed}
    if name == "GaussianDropout":
        return {"rate": rate, "dropout": "gaussian", "seed": noise.seed}
    return None


def _fusable_chain(graph: Graph, model: keras.Model, batch_norm: Any):
    if getattr(batch_norm, "renorm", False):
        return None
    following = _single_successor(graph, batch_norm.name)
    if following is None or "/" in following:
        return None
    activation = model.get_layer(following)
    if _activation_name(activation) is None:
        return None
    noise = None
    after = _single_successor(graph, activation.name)
    if after is not None and "/" not in after:
        candidate = model.get_layer(after)
        if _noise_settings(candidate, batch_norm) is not None:
            noise = candidate
    return activation, noise


def _fused_config(batch_norm: Any, activation: Any, noise: Any) -> dict[str, Any]:
    bn_config = batch_norm.get_config()
    config = {key: bn_config[key] for key in _BN_KEYS if key in bn_config}
    config.update(
        name=batch_norm.name,
        dtype=bn_config.get("dtype"),
        activation=_activation_name(activation),
        # A noise layer reaches here only once _noise_settings accepted it.
        **(cast(dict, _noise_settings(noise, batch_norm)) if noise is not None else {}),
    )
    return config


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

    plan = _Plan()
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
        added: list[Any] = []
        if layer._activation_name not in (None, "linear"):
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
    return (unfused, changes) if return_changes else unfused


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
            return _factory(getattr(keras.layers, _SPATIAL[rank]), settings)
        # One draw per sample and channel, for layouts with no SpatialDropout.
        noise_shape = tuple(
            None
            if axis == 0
            else (layer.input.shape[axis] if axis == channel_axis else 1)
            for axis in range(rank)
        )
    return _factory(keras.layers.Dropout, {**settings, "noise_shape": noise_shape})
