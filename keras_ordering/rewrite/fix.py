"""`fix_model`: rewrite a model into the recommended order."""

from __future__ import annotations

import keras

from ..graph.from_keras import graph_from_model
from ..graph.graph import Graph
from ..lint.api import lint_model
from ..lint.finding import Finding
from ..lint.registry import (
    Selectors,
    fixable_codes,
    fixable_rules,
    get_rule,
    resolve,
)
from ..lint.rule import Rule
from ._clone import check_rewritable, nested_rewriter, rebuild
from ._plan import RewritePlan
from .change import Change

# Codes fix_model can rewrite (the rules carrying an `autofix`), in the order
# it tries them within a round. Derived from the registry.
FIXABLE = fixable_codes()
MAX_ROUNDS = 20


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

    These change what the model computes; the change list says so and that
    retraining is needed:

    - KO111 batchnorm-axis-mismatch: the BN axis becomes the channel axis;
      its weights are re-initialised when their size changes.
    - KO112 batchnorm-momentum-inverted: momentum m becomes 1 - m (0 becomes
      0.99); the moving statistics are kept.
    - KO113 dropout-rate-as-keep-probability: the rate becomes 1 - rate, only
      when `select` names the rule, since it guesses intent.
    - KO130 training-argument-overridden: a BN called with `training=False`
      is frozen (`trainable=False`, so gamma and beta stop training too);
      Monte-Carlo dropout becomes `keras_ordering.layers.MonteCarloDropout`.
      A nested model called with `training=False` is left and reported.

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
    fixers = {rule.code: rule for rule in fixable_rules()}
    order = list(fixers)
    requested = _named_exactly(select)
    fixable = [
        code
        for code in order
        if code in selected
        and (not fixers[code].autofix_on_request or code in requested)
    ]
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
        plan = RewritePlan()
        if fixable:
            report = lint_model(current, select=fixable, convention=convention)
            graph = graph_from_model(current)
            for finding in sorted(report, key=lambda f: order.index(f.code)):
                reason = _fix(fixers[finding.code], finding, graph, current, plan)
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
                if finding.code not in fixers
                else f"fixed only on request: select={finding.code!r}"
                if fixers[finding.code].autofix_on_request
                and finding.code not in fixable
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


def _named_exactly(select: Selectors) -> set[str]:
    """Codes of the rules `select` names by exact code or name."""
    if select is None:
        return set()
    names = [select] if isinstance(select, str) else list(select)
    codes = set()
    for name in names:
        try:
            codes.add(get_rule(name).code)
        except ValueError:
            continue  # A prefix or ALL: not a request for one rule.
    return codes


def _keep(model: keras.Model) -> keras.Model:
    """A nested model already fixed: clone it as it is, with its weights."""
    return rebuild(model, RewritePlan(), _keep)


def _fix(
    rule: type[Rule],
    finding: Finding,
    graph: Graph,
    model: keras.Model,
    plan: RewritePlan,
) -> str | None:
    """Adds the finding's rewrite to the plan; returns why not, if it can't."""
    layers = rule.autofix_layers(finding)
    if any("/" in layer for layer in layers):
        return "the path crosses a nested model's boundary"
    heads, _ = graph.heads_and_tails()
    if any(layer not in heads for layer in layers):
        return "it names a nested model call: change the layers inside it"
    if not graph.is_linear_chain(layers):
        return "the path branches, merges or goes through a shared layer"
    if not plan.claim(layers):
        return None  # Another rewrite of this round owns a layer; next round.
    reason = rule.autofix(finding, graph, model, plan)
    if reason is not None:
        plan.touched -= set(layers)  # Left undone: free for another rule.
    return reason
