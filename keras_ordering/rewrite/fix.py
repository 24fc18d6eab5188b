"""`fix_model`: rewrite a model into the recommended order."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from ..graph import kinds
from ..graph.from_keras import graph_from_model
from ..graph.graph import Graph
from ..lint.api import lint_model
from ..lint.finding import Finding
from ..lint.registry import Selectors, resolve
from ._clone import (
    _Plan,
    check_rewritable,
    heads_and_tails,
    linear,
    nested_rewriter,
    rebuild,
    sole_successor,
)
from .change import Change

# Codes fix_model can rewrite, in the order it tries them within a round.
FIXABLE = ("KO102", "KO101", "KO104", "KO106", "KO108", "KO109")
MAX_ROUNDS = 20

Fixer = Callable[[Finding, Graph, keras.Model, _Plan], "str | None"]


def fix_model(
    model: keras.Model,
    *,
    select: Selectors = None,
    convention: str = "standard",
    return_changes: bool = False,
) -> keras.Model | tuple[keras.Model, list[Change]]:
    """Returns a new model in which the auto-fixable findings are gone.

    The input model is never changed; every layer that survives keeps its
    weights (copied by layer, not by position).

    - KO101 dropout-before-batchnorm: the noise layer moves after the BN and
      the activation that follows it (BN -> activation -> dropout).
    - KO102 batchnorm-after-activation: the BN moves before the activation; a
      weight layer's `activation=` is split into an activation layer after
      the BN.
    - KO104 activation-before-maxpool: pool first (exactly equivalent).
    - KO106 bias-before-batchnorm: the bias is dropped and folded into the
      BN's moving mean (inference is exactly equivalent).
    - KO108 / KO109: consecutive dropouts / BNs are merged where that is
      exact (same kind of noise; two plain BNs on the same axis, exact in
      inference); otherwise they are left and reported.

    Findings a rewrite cannot reach (a path through a merge or a shared layer,
    or across a nested model's boundary) are left and reported. Nested
    Sequential and Functional models are fixed recursively. A compiled model
    comes back compiled with the same configuration (optimizer state is not
    carried over).

    Args:
        model: a built Sequential or Functional model.
        select: rules to fix (as in `lint_model`); default: every fixable
            rule on by default.
        convention: as in `lint_model`; `"ic"` leaves KO102 alone.
        return_changes: also return the list of `Change`s.

    Returns:
        The fixed model, or `(model, changes)` with `return_changes=True`.

    Raises:
        ValueError: a subclassed or unbuilt model (use `lint_model` instead).
    """
    check_rewritable(model, "fix_model")
    selected = [rule.code for rule in resolve(select, None, None, convention)]
    fixable = [code for code in FIXABLE if code in selected]
    changes: list[Change] = []
    reasons: dict[tuple, str] = {}

    fix_nested = nested_rewriter(
        lambda nested: fix_model(
            nested, select=select, convention=convention, return_changes=True
        ),
        changes,
        applied_only=True,  # What is left shows in the outer model's re-lint.
    )

    current = model
    for round_index in range(MAX_ROUNDS):
        plan = _Plan()
        if fixable:
            report = lint_model(current, select=fixable, convention=convention)
            graph = graph_from_model(current)
            for finding in sorted(report, key=lambda f: FIXABLE.index(f.code)):
                reason = _fix(finding, graph, current, plan)
                if reason:
                    reasons[(finding.code, finding.layers)] = reason
        if round_index > 0 and not plan.changes:
            break
        current = rebuild(current, plan, fix_nested)
        changes.extend(plan.changes)
        fix_nested = _keep  # Nested models are fixed once, in the first round.
        if not plan.changes:
            break
    for finding in lint_model(current, select=select, convention=convention):
        reason = reasons.get((finding.code, finding.layers))
        if reason is None:
            reason = (
                "no automatic fix for this rule"
                if finding.code not in FIXABLE
                else "not selected for fixing"
                if finding.code not in fixable
                else "left by the rewrite"
            )
        changes.append(
            Change(
                finding.code,
                False,
                f"{' -> '.join(finding.layers)}: {reason}",
                finding.layers,
            )
        )
    return (current, changes) if return_changes else current


def _keep(model: keras.Model) -> keras.Model:
    """A nested model already fixed: clone it as it is, with its weights."""
    return rebuild(model, _Plan(), _keep)


def _fix(finding: Finding, graph: Graph, model: keras.Model, plan: _Plan) -> str | None:
    """Adds the finding's rewrite to the plan; returns why not, if it can't."""
    if any("/" in layer for layer in finding.layers):
        return "the path crosses a nested model's boundary"
    if not linear(graph, finding.layers):
        return "the path branches, merges or goes through a shared layer"
    if not plan.claim(finding.layers):
        return None  # Another rewrite of this round owns a layer; next round.
    return FIXERS[finding.code](finding, graph, model, plan)


def _head(graph: Graph, path: str):
    """The first node of a (single) layer call."""
    heads, _ = heads_and_tails(graph)
    return graph.nodes[heads[path][0]]


def _following_activation(graph: Graph, path: str) -> str | None:
    """The plain activation layer fed by `path` alone, if there is one."""
    node = sole_successor(graph, path)
    if node is None or node.kind != kinds.ACTIVATION or node.part is not None:
        return None
    return node.path


def _split_activation(model: keras.Model, name: str, plan: _Plan) -> Callable:
    """A weight layer's `activation=` becomes linear; returns a factory of
    the activation layer that replaces it."""
    activation = model.get_layer(name).get_config()["activation"]
    plan.config.setdefault(name, {})["activation"] = "linear"
    return lambda: keras.layers.Activation(activation, name=f"{name}_activation")


def _fix_dropout_before_batchnorm(finding, graph, model, plan) -> str | None:
    noise, batch_norm = finding.layers[0], finding.layers[-1]
    if _head(graph, noise).layer_class == kinds.FUSED_CLASS:
        return "the noise is part of a BNActDropout"
    if not _is_batch_norm(model.get_layer(batch_norm)):
        return "the batch normalization is part of a BNActDropout"
    target = _following_activation(graph, batch_norm) or batch_norm
    plan.skip.add(noise)
    plan.after.setdefault(target, []).append(noise)
    plan.changes.append(
        Change("KO101", True, f"moved '{noise}' after '{target}'", finding.layers)
    )
    return None


def _fix_batchnorm_after_activation(finding, graph, model, plan) -> str | None:
    activation, batch_norm = finding.layers[0], finding.layers[-1]
    between = {graph.nodes[i].kind for i in _between_nodes(graph, finding.layers)}
    if not between <= {kinds.POOL, kinds.NOISE}:
        return "a shape layer between activation and BN changes the channel layout"
    if not _is_batch_norm(model.get_layer(batch_norm)):
        return "the batch normalization is part of a BNActDropout"
    plan.skip.add(batch_norm)
    head = _head(graph, activation)
    if head.kind == kinds.WEIGHT:  # A weight layer's activation= part.
        new_activation = _split_activation(model, activation, plan)
        plan.after.setdefault(activation, []).extend([batch_norm, new_activation])
        what = f"moved '{batch_norm}' between '{activation}' and its activation"
    elif head.kind == kinds.ACTIVATION:
        plan.before.setdefault(activation, []).append(batch_norm)
        what = f"moved '{batch_norm}' before '{activation}'"
    else:
        return "the activation is part of a BNActDropout"
    plan.changes.append(Change("KO102", True, what, finding.layers))
    return None


def _is_batch_norm(layer: keras.layers.Layer) -> bool:
    """A plain batch normalization layer (not the BN part of a BNActDropout)."""
    return kinds.is_batch_norm_class(type(layer).__name__)


def _between_nodes(graph: Graph, layers: tuple[str, ...]) -> list[int]:
    inner = set(layers[1:-1])
    return [n.index for n in graph.nodes if n.path in inner]


def _fix_activation_before_maxpool(finding, graph, model, plan) -> str | None:
    activation, pool = finding.layers
    head = _head(graph, activation)
    if head.kind == kinds.WEIGHT:
        new_activation = _split_activation(model, activation, plan)
        plan.after.setdefault(pool, []).append(new_activation)
        what = f"'{pool}' now pools before the activation of '{activation}'"
    elif head.kind == kinds.ACTIVATION:
        plan.skip.add(activation)
        plan.after.setdefault(pool, []).append(activation)
        what = f"moved '{activation}' after '{pool}'"
    else:
        return "the activation is part of a BNActDropout"
    plan.changes.append(Change("KO104", True, what, finding.layers))
    return None


def _fix_bias_before_batchnorm(finding, graph, model, plan) -> str | None:
    if len(finding.layers) != 2:
        return "shape layers between the weight layer and BN reshape the bias"
    weight, batch_norm = finding.layers
    weight_layer, bn_layer = model.get_layer(weight), model.get_layer(batch_norm)
    if not _is_batch_norm(bn_layer):
        return "the batch normalization is part of a BNActDropout"
    config = weight_layer.get_config()
    channels_first = config.get("data_format") == "channels_first"
    rank = len(bn_layer.input.shape)
    if "use_bias" not in config or bn_layer.axis % rank != (
        1 if channels_first else rank - 1
    ):
        return "the BN axis is not the weight layer's channel axis"
    bias = np.asarray(weight_layer.get_weights()[-1])
    mean_index = int(bn_layer.scale) + int(bn_layer.center)

    def fold(weights: list[np.ndarray]) -> list[np.ndarray]:
        # BN(x + b) = BN'(x) with moving_mean' = moving_mean - b.
        weights = list(weights)
        weights[mean_index] = weights[mean_index] - bias
        return weights

    plan.config.setdefault(weight, {})["use_bias"] = False
    plan.weights[weight] = lambda weights: list(weights[:-1])
    plan.weights[batch_norm] = fold
    plan.changes.append(
        Change(
            "KO106",
            True,
            f"dropped the bias of '{weight}', folded into '{batch_norm}'",
            finding.layers,
        )
    )
    return None


def _fix_consecutive_dropout(finding, graph, model, plan) -> str | None:
    first, second = (model.get_layer(name) for name in finding.layers)
    kind = type(first).__name__
    if kind != type(second).__name__ or getattr(first, "noise_shape", None) != getattr(
        second, "noise_shape", None
    ):
        return "the two noise layers draw different kinds of noise"
    draws = (
        kinds.noise_pattern(kind, first.get_config())
        if kinds.is_noise_class(kind)
        else None
    )
    if draws is None or draws[0] == "gaussian":
        return f"two {kind} layers do not compose into one exactly"
    if draws[0] == "additive":
        stddev = float(np.hypot(first.stddev, second.stddev))
        plan.config[second.name] = {"stddev": stddev}
        what = f"merged into one {kind}(stddev={stddev:.4g})"
    else:
        # Two independent masks drop a unit unless both keep it.
        keep = (1.0 - first.rate) * (1.0 - second.rate)
        plan.config[second.name] = {"rate": 1.0 - keep}
        what = f"merged into one {kind}(rate={1.0 - keep:.4g})"
    plan.skip.add(first.name)
    plan.changes.append(Change("KO108", True, what, finding.layers))
    return None


def _fix_consecutive_batchnorm(finding, graph, model, plan) -> str | None:
    first, second = (model.get_layer(name) for name in finding.layers)
    if not (_is_batch_norm(first) and _is_batch_norm(second)):
        return "only two plain BatchNormalization layers merge"
    rank = len(first.input.shape)
    if first.axis % rank != second.axis % rank:
        return "the two BNs normalize different axes"

    def parts(layer):
        weights = {
            w.name: np.asarray(keras.ops.convert_to_numpy(w)) for w in layer.weights
        }
        channels = weights["moving_mean"].shape
        gamma = weights.get("gamma", np.ones(channels))
        beta = weights.get("beta", np.zeros(channels))
        return gamma, beta, weights["moving_mean"], weights["moving_variance"]

    g1, b1, m1, v1 = parts(first)
    g2, b2, m2, v2 = parts(second)
    s2 = np.sqrt(v2 + second.epsilon)
    # BN2(BN1(x)) = g2/s2 * (g1 (x - m1)/s1 + b1 - m2) + b2: one BN with the
    # first one's statistics and combined gamma and beta.
    gamma = g2 * g1 / s2
    beta = g2 * (b1 - m2) / s2 + b2
    plan.skip.add(first.name)
    plan.config[second.name] = {
        "epsilon": first.epsilon,
        "center": True,
        "scale": True,
        "momentum": first.momentum,
    }
    plan.new_weights[second.name] = [gamma, beta, m1, v1]
    plan.changes.append(
        Change(
            "KO109",
            True,
            f"merged '{first.name}' into '{second.name}' (exact at inference; "
            "in training the merged BN normalizes once)",
            finding.layers,
        )
    )
    return None


FIXERS: dict[str, Fixer] = {
    "KO101": _fix_dropout_before_batchnorm,
    "KO102": _fix_batchnorm_after_activation,
    "KO104": _fix_activation_before_maxpool,
    "KO106": _fix_bias_before_batchnorm,
    "KO108": _fix_consecutive_dropout,
    "KO109": _fix_consecutive_batchnorm,
}
