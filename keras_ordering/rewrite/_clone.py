"""Rebuilding a model with layers skipped, moved, reconfigured or added.

Both rewrites describe what they want as a `RewritePlan` keyed by the
original layer names; `rebuild` clones the model with `keras.models.clone_model`,
applies the plan at each layer call, and copies weights by layer name (never
by position), through the plan's weight transforms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import keras

from ..graph.from_keras import is_graph_model
from ._plan import Item, RewritePlan
from .change import Change


def check_rewritable(model: Any, action: str) -> None:
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{action} expects a keras.Model. Received: {type(model).__qualname__}"
        )
    if not is_graph_model(model):
        raise ValueError(
            f"{action} cannot rewrite model {model.name!r}: it is a subclassed "
            "model, whose call() is Python code that no rewrite can change. "
            "Use keras_ordering.lint_model(model) to see the findings, and fix "
            "the code by hand."
        )
    if not model.built or not model.inputs:
        raise ValueError(
            f"Model {model.name!r} is not built: give it a keras.Input or call "
            "it on a batch before rewriting it."
        )


def rebuild(
    model: keras.Model,
    plan: RewritePlan,
    rewrite_nested: Callable[[keras.Model], keras.Model],
) -> keras.Model:
    """A new model: `model` with `plan` applied, weights copied by layer."""
    originals = {layer.name: layer for layer in model.layers}
    clones: dict[str, keras.layers.Layer] = {}
    created: dict[str, keras.layers.Layer] = {}

    def clone_of(name: str) -> keras.layers.Layer:
        if name not in clones:
            layer = originals[name]
            config = {**layer.get_config(), **plan.config.get(name, {})}
            clones[name] = type(layer).from_config(config)
        return clones[name]

    def clone_function(layer):
        if isinstance(layer, keras.Model) and is_graph_model(layer):
            return rewrite_nested(layer)
        if isinstance(layer, keras.layers.InputLayer):
            return layer
        return clone_of(layer.name)

    def resolve(item: Item) -> keras.layers.Layer:
        if isinstance(item, str):
            return clone_of(item)
        layer = item()
        created[layer.name] = layer
        return layer

    def call_function(layer, *args, **kwargs):
        name = layer.name
        if name in plan.skip:
            return args[0]
        if name in plan.replace:
            layer = plan.replace[name]()
            created[layer.name] = layer
        inputs = args[0]
        for item in plan.before.get(name, ()):
            inputs = resolve(item)(inputs)
        outputs = layer(inputs, *args[1:], **kwargs)
        for item in plan.after.get(name, ()):
            outputs = resolve(item)(outputs)
        return outputs

    functional = model
    if isinstance(model, keras.Sequential):
        functional = keras.Model(model.inputs, model.outputs, name=model.name)
    rebuilt = keras.models.clone_model(
        functional, clone_function=clone_function, call_function=call_function
    )
    for layer in rebuilt.layers:
        if isinstance(layer, keras.Model) or not layer.weights:
            continue
        if layer.name in plan.new_weights:
            layer.set_weights(plan.new_weights[layer.name])
        elif layer.name in originals:
            weights = originals[layer.name].get_weights()
            transform = plan.weights.get(layer.name)
            layer.set_weights(transform(weights) if transform else weights)
    if isinstance(model, keras.Sequential):
        # Rewrites move and insert layers along the chain: still a chain.
        first_input = model.inputs[0]
        rebuilt = keras.Sequential(
            [
                keras.Input(batch_shape=first_input.shape, dtype=first_input.dtype),
                *(
                    layer
                    for layer in rebuilt.layers
                    if not isinstance(layer, keras.layers.InputLayer)
                ),
            ],
            name=model.name,
        )
    if getattr(model, "compiled", False):
        rebuilt.compile_from_config(model.get_compile_config())
    return rebuilt


def nested_rewriter(
    rewrite: Callable[[keras.Model], tuple[keras.Model, list[Change]]],
    changes: list[Change],
    applied_only: bool = False,
) -> Callable[[keras.Model], keras.Model]:
    """Rewrites a nested model, adding its changes with `outer/` layer paths."""

    def rewrite_nested(nested: keras.Model) -> keras.Model:
        result, nested_changes = rewrite(nested)
        changes.extend(
            dataclasses.replace(
                change,
                description=f"in '{nested.name}': {change.description}",
                layers=tuple(f"{nested.name}/{name}" for name in change.layers),
            )
            for change in nested_changes
            if change.applied or not applied_only
        )
        return result

    return rewrite_nested
