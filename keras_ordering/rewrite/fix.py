"""`fix_model`: rewrite a model into the recommended order."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import keras

from ..graph.from_keras import graph_from_model
from ..graph.graph import Graph
from ..lint.api import lint_model
from ..lint.finding import SEVERITY_RANK, Finding
from ..lint.fix import Applicability
from ..lint.registry import (
    Selectors,
    all_rules,
    fixable_codes,
    fixable_rules,
    get_rule,
    resolve,
)
from ..lint.rule import Rule
from ._clone import check_rewritable, nested_rewriter, rebuild
from ._plan import RewritePlan
from .change import Change, ChangeList

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
    recalibrate_with: Any = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
) -> keras.Model | tuple[keras.Model, list[Change]]:
    """Returns a new model in which the auto-fixable findings are gone.

    The input model is never changed; every layer that survives keeps its
    weights (copied by layer, not by position).

    - KO101 dropout-before-batchnorm: the noise layer moves after the BN,
      the activation that follows it, and the poolings and flattening
      layers after those: weight -> BN -> activation -> pooling -> Dropout.
      A spatial dropout that lands after a global pooling becomes a
      `Dropout` of the same rate (the same noise there); one that would land
      after a Flatten or Reshape is left, with the reason. Dropout is off at
      inference, so the move does not change predictions.
    - KO102 batchnorm-after-activation: the BN moves before the activation; a
      weight layer's `activation=` is split into an activation layer after
      the BN. This changes the trained function: the BN's statistics were
      measured after the activation. Recalibrate them on training data
      (`recalibrate_with=`, or `keras_ordering.recalibrate_batchnorm`).
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
      when `select` or `extend_select` names the rule (by code or name), since
      it guesses intent.
    - KO130 training-argument-overridden: a BN called with `training=False`
      is frozen (`trainable=False`, so gamma and beta stop training too);
      Monte-Carlo dropout becomes `keras_ordering.layers.MonteCarloDropout`.
      A nested model called with `training=False` is left and reported.

    The change list answers the findings `lint_model(model, select=select,
    ignore=ignore, extend_select=extend_select, convention=convention)`
    reports: each is fixed (by its own rewrite or
    as a side effect of another), or left with the reason. A fix that would
    add a finding the input did not have, at least as severe as the one it
    fixes, is not applied (it is left, with the finding it would add).
    Findings a rewrite cannot reach (a path through a merge or a shared
    layer, or across a nested model's boundary) are left and reported.
    Nested Sequential and Functional models are fixed recursively. A
    compiled model comes back compiled with the same configuration
    (optimizer state is not carried over).

    Args:
        model: a built Sequential or Functional model.
        select: rules to fix (as in `lint_model`); default: every fixable
            rule on by default.
        convention: as in `lint_model`; `"ic"` leaves KO102 alone.
        return_changes: also return the `Change`s, as a `ChangeList` (a
            list that prints and renders in notebooks as a table).
        recalibrate_with: training data (as for `recalibrate_batchnorm`);
            when a rewrite changes the trained function, the fixed model's
            BN statistics are re-estimated on it right away.
        ignore, extend_select: as in `lint_model`.

    Returns:
        The fixed model, or `(model, changes)` with `return_changes=True`.

    Raises:
        ValueError: a subclassed or unbuilt model (use `lint_model` instead).
    """
    check_rewritable(model, "fix_model")
    selection = _Selection(select, ignore, extend_select, convention)
    seen = list(lint_model(model, **selection.lint_options()))
    seen_keys = {_key(finding) for finding in seen}
    seen_anchors = {_anchor(_key(finding)) for finding in seen}
    refused: dict[FindingKey, str] = {}
    while True:  # Each pass refuses at least one more rewrite, or stops.
        fixed, changes, reasons, origins = _rewrite(model, selection, refused)
        remaining = list(lint_model(fixed, **selection.lint_options()))
        added = [f for f in remaining if _anchor(_key(f, origins)) not in seen_anchors]
        culprits = _culprits(changes, added, refused, seen)
        if not culprits:
            break
        for change in culprits:
            refused[(change.code, change.layers)] = "fixing it would add " + ", ".join(
                f"{f.code} ({' -> '.join(f.layers)})" for f in added
            )
    changes = [_as_seen(change, seen_keys, seen_anchors) for change in changes]
    changes += _fixed_by_others(seen, remaining, changes, origins)
    changes += _left(remaining, reasons, selection)
    if recalibrate_with is not None and any(c.applied and not c.exact for c in changes):
        from ..diagnostics import recalibrate_batchnorm

        recalibrate_batchnorm(fixed, recalibrate_with, verbose=0)
        changes = [
            dataclasses.replace(c, recalibrated=True)
            if c.applied and not c.exact
            else c
            for c in changes
        ]
    return (fixed, ChangeList(changes)) if return_changes else fixed


FindingKey = tuple[str, tuple[str, ...]]


@dataclasses.dataclass(frozen=True)
class _Selection:
    """The rules `fix_model` answers, chosen as in `lint_model`."""

    select: Selectors
    ignore: Selectors
    extend_select: Selectors
    convention: str

    def lint_options(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def codes(self) -> set[str]:
        """The selected rules' codes."""
        return {rule.code for rule in resolve(**self.lint_options())}

    def requested(self) -> set[str]:
        """Codes named exactly (not by prefix or ALL) in `select` or
        `extend_select`: rules whose fix runs only on request."""
        return _named_exactly(self.select) | _named_exactly(self.extend_select)


def _key(finding: Finding, origins: dict[str, str] | None = None) -> FindingKey:
    """A finding's identity: its code and layers, a layer split off by a
    rewrite (`dense_activation`) counting as the layer it came from."""
    layers = []
    for layer in finding.layers:
        while origins and layer in origins:
            layer = origins[layer]
        layers.append(layer)
    return finding.code, tuple(layers)


def _anchor(key: FindingKey) -> tuple[str, str]:
    """Where a finding is: its rule and first layer. A rewrite may lengthen or
    shorten the path of a finding (dropout -> bn -> output becoming dropout
    -> output); a finding is new only at a new place."""
    code, layers = key
    return code, layers[0] if layers else ""


def _rewrite(
    model: keras.Model,
    selection: _Selection,
    refused: dict[FindingKey, str],
) -> tuple[keras.Model, list[Change], dict[FindingKey, str], dict[str, str]]:
    """Rounds of rule fixes until none applies.

    Returns the model, the applied changes, why findings were not fixed, and
    the origin of each layer a rewrite split off.
    """
    selected = selection.codes()
    fixers = {rule.code: rule for rule in fixable_rules()}
    order = list(fixers)
    requested = selection.requested()
    fixable = [
        code
        for code in order
        if code in selected
        and (not fixers[code].autofix_on_request or code in requested)
    ]
    changes: list[Change] = []
    reasons: dict[FindingKey, str] = {}
    origins: dict[str, str] = {}

    fix_nested = nested_rewriter(
        lambda nested: fix_model(
            nested,
            select=selection.select,
            ignore=_with_output_rules(selection.ignore),
            extend_select=selection.extend_select,
            convention=selection.convention,
            return_changes=True,
        ),
        changes,
        applied_only=True,  # What is left shows in the outer model's re-lint.
    )

    current = model
    for round_index in range(MAX_ROUNDS):
        plan = RewritePlan()
        if fixable:
            report = lint_model(
                current, select=fixable, convention=selection.convention
            )
            graph = graph_from_model(current)
            for finding in sorted(report, key=lambda f: order.index(f.code)):
                reason = refused.get(_key(finding)) or _fix(
                    fixers[finding.code], finding, graph, current, plan, requested
                )
                if reason:
                    reasons[_key(finding)] = reason
        if round_index > 0 and not plan.changes:
            break
        current = rebuild(current, plan, fix_nested)
        changes.extend(plan.changes)
        origins.update(plan.origins)
        fix_nested = _keep  # Nested models are fixed once, in the first round.
        if not plan.changes:
            break
    return current, changes, reasons, origins


def _culprits(
    changes: list[Change],
    added: list[Finding],
    refused: dict[FindingKey, str],
    seen: list[Finding],
) -> list[Change]:
    """The applied rewrites that touch the layers of findings they added, at
    least as severe as the finding the rewrite answers: a rewrite that
    removes a warning is not refused for bringing out an info.

    A nested model's own rewrites are answered by its own `fix_model` run,
    so they are never refused from outside.
    """
    severity_at = {_anchor(_key(f)): SEVERITY_RANK[f.severity] for f in seen}

    def answered_rank(change: Change) -> int:
        anchor = _anchor((change.code, change.layers))
        return severity_at.get(anchor, SEVERITY_RANK[get_rule(change.code).severity])

    return [
        change
        for change in changes
        if change.applied
        and (change.code, change.layers) not in refused
        and not any("/" in layer for layer in change.layers)
        and any(
            set(finding.layers) & set(change.layers)
            and SEVERITY_RANK[finding.severity] >= answered_rank(change)
            for finding in added
        )
    ]


def _as_seen(
    change: Change, seen_keys: set[FindingKey], seen_anchors: set[tuple[str, str]]
) -> Change:
    """Notes a fix of a finding that the input model was not reported for (a
    finding of the same rule at the same first layer counts as reported: an
    earlier move may have shortened its path)."""
    key = (change.code, change.layers)
    if not change.applied or key in seen_keys or _anchor(key) in seen_anchors:
        return change
    if any("/" in layer for layer in change.layers):
        return change  # A nested model's own change, answered in its terms.
    return dataclasses.replace(
        change,
        description=f"{change.description} (not reported on the input model: "
        "an earlier rewrite brought it out)",
    )


def _fixed_by_others(
    seen: list[Finding],
    remaining: list[Finding],
    changes: list[Change],
    origins: dict[str, str],
) -> list[Change]:
    """The reported findings that are gone without a rewrite of their own."""
    left = {_key(finding, origins) for finding in remaining}
    answered = {(c.code, c.layers) for c in changes if c.applied}
    answered_at = {_anchor(key) for key in answered}
    result = []
    for finding in seen:
        key = _key(finding)
        if key in left or key in answered or _anchor(key) in answered_at:
            continue
        by = sorted(
            {
                c.code
                for c in changes
                if c.applied and set(c.layers) & set(finding.layers)
            }
        )
        rewrites = "rewrite" if len(by) == 1 else "rewrites"
        how = f"resolved by the {', '.join(by)} {rewrites}" if by else "resolved"
        result.append(
            Change(
                finding.code,
                True,
                f"{' -> '.join(finding.layers)}: {how}",
                finding.layers,
            )
        )
    return result


def _left(
    remaining: list[Finding],
    reasons: dict[FindingKey, str],
    selection: _Selection,
) -> list[Change]:
    """A change left undone for each finding of the fixed model, with why."""
    fixable = set(fixable_codes())
    selected = selection.codes()
    requested = selection.requested()
    result = []
    for finding in remaining:
        reason = reasons.get(_key(finding))
        if reason is None:
            reason = (
                "no automatic fix for this rule"
                if finding.code not in fixable
                else f"fixed only on request: select={finding.code!r}"
                if get_rule(finding.code).autofix_on_request
                and finding.code not in requested
                else "not selected for fixing"
                if finding.code not in selected
                else "left by the rewrite"
            )
        result.append(
            Change(
                finding.code,
                False,
                f"{' -> '.join(finding.layers)}: {reason}",
                finding.layers,
            )
        )
    return result


def _with_output_rules(ignore: Selectors) -> list[str]:
    """`ignore` plus the rules that judge model outputs: a nested model's
    outputs are not the model's (see `Rule.judges_model_outputs`)."""
    if ignore is None:
        ignored = []
    elif isinstance(ignore, str):
        ignored = [ignore]
    else:
        ignored = list(ignore)
    return [*ignored, *(r.code for r in all_rules() if r.judges_model_outputs)]


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
    requested: set[str] | frozenset[str] = frozenset(),
) -> str | None:
    """Adds the finding's rewrite to the plan; returns why not, if it can't."""
    layers = rule.autofix_layers(finding)
    if any("/" in layer for layer in layers):
        return (
            "the path crosses a nested model's boundary: moving a layer into or "
            "out of a nested model changes that model for each of its uses; "
            "move it by hand"
        )
    heads, _ = graph.heads_and_tails()
    if any(layer not in heads for layer in layers):
        return "it names a nested model call: change the layers inside it"
    if not graph.is_linear_chain(layers):
        return "the path branches, merges or goes through a shared layer"
    if not plan.claim(layers):
        return None  # Another rewrite of this round owns a layer; next round.
    reason = _apply_autofix(rule, finding, graph, model, plan, requested)
    if reason is not None:
        plan.touched -= set(layers)  # Left undone: free for another rule.
    return reason


def _apply_autofix(
    rule: type[Rule],
    finding: Finding,
    graph: Graph,
    model: keras.Model,
    plan: RewritePlan,
    requested: set[str] | frozenset[str],
) -> str | None:
    """Applies the `Fix` the rule returns, as its applicability allows."""
    if _takes_plan(rule):  # A rule written to the old interface edits the plan.
        legacy: Any = rule.autofix
        return legacy(finding, graph, model, plan)
    fix = rule.autofix(finding, graph, model)
    if isinstance(fix, str):
        return fix
    if fix.applicability is Applicability.ON_REQUEST and rule.code not in requested:
        return f"fixed only on request: select={rule.code!r}"
    plan.apply(rule.code, fix, model)
    return None


def _takes_plan(rule: type[Rule]) -> bool:
    """Whether `rule.autofix` has the legacy `(finding, graph, model, plan)`
    signature (before fixes were data)."""
    return len(inspect.signature(rule.autofix).parameters) == 4
