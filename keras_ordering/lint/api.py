"""`lint_model`, `lint_graph` and `rules`: the linter's public functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..graph.graph import Graph
from ..graph.node import Node
from .finding import Finding
from .registry import Selectors, all_rules, resolve
from .report import LintReport
from .rule import Rule


def lint_model(
    model: Any,
    *,
    select: Selectors = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
    convention: str = "standard",
) -> LintReport:
    """Lints a built Keras model for risky layer orderings.

    Args:
        model: a built `keras.Model`: Sequential, Functional (nested and
            shared layers included) or subclassed (traced once on zeros of
            its built input shape).
        select: rule codes (`"KO101"`), code prefixes (`"KO1"`), rule names
            (`"dropout-before-batchnorm"`) or `"ALL"`; replaces the default
            rule set.
        ignore: selectors of rules to leave out.
        extend_select: selectors of rules to add to the set, e.g. the opt-in
            `"KO120"`.
        convention: `"standard"` (BN before the activation) or `"ic"` (Chen
            et al.'s IC layer: BN after the activation, which switches off
            `batchnorm-after-activation`).

    Returns:
        A `LintReport`: iterate it for `Finding`s, print it for a table.

    Raises:
        TypeError: `model` is not a Keras model, or a selector is not a string.
        ValueError: the model is not built or is empty; an unknown selector or
            convention.

    Example:

    >>> import keras
    >>> from keras_ordering import lint_model
    >>> model = keras.Sequential([
    ...     keras.Input((16,)),
    ...     keras.layers.Dense(8),
    ...     keras.layers.Dropout(0.5, name="dropout"),
    ...     keras.layers.BatchNormalization(name="bn"),
    ...     keras.layers.Dense(2, name="head"),
    ... ])
    >>> [(f.code, f.layers) for f in lint_model(model)]
    [('KO101', ('dropout', 'bn'))]
    """
    rules = resolve(select, ignore, extend_select, convention)
    from ..graph.from_keras import graph_from_model

    return lint_graph(graph_from_model(model), rules)


def lint_graph(graph: Graph, rules: Sequence[type[Rule]]) -> LintReport:
    """Runs `rules` on a neutral graph (from a live model or a file)."""
    # Order findings top to bottom by graph depth, the same whichever
    # adapter built the graph.
    depths = graph.depths()
    position: dict[str, tuple[int, str]] = {}
    for node in graph.nodes:
        key = (depths[node.index], node.path)
        position[node.path] = min(position.get(node.path, key), key)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(graph))
    findings.sort(
        key=lambda f: (
            position.get(f.layers[0], (0, "")) if f.layers else (0, ""),
            f.code,
            f.layers,
        )
    )
    notes = []
    if graph.attrs.get("traced"):
        notes.append(
            "Subclassed model: data flow was traced from its layer calls on zeros; "
            "tensor operations between layers (x + y, ops.*) are not seen."
        )
    return LintReport(
        findings,
        model_name=graph.name,
        rules=[rule.code for rule in rules],
        opaque_layers=[_opaque_entry(node) for node in graph.opaque],
        notes=notes,
    )


def _opaque_entry(node: Node) -> tuple[str, str, str]:
    reason = node.attrs.get("opaque_reason")
    if reason is None:
        if node.layer_class == "Lambda":
            reason = "a Lambda layer runs arbitrary code"
        else:
            reason = f"{node.layer_class} is not a layer class the linter knows"
    return node.path, node.layer_class, reason


def rules() -> list[dict[str, Any]]:
    """Every rule: code, name, default severity, on by default, and its docs."""
    return [
        {
            "code": rule.code,
            "name": rule.name,
            "severity": rule.severity,
            "default_enabled": rule.default_enabled,
            "conventions_off": sorted(rule.conventions_off),
            "fix": rule.fix,
            "reference": rule.reference,
            "docs": rule.docs(),
        }
        for rule in all_rules()
    ]
