"""`lint_model`, `lint_file`, `check` and `rules`: the linter's public functions."""

from __future__ import annotations

import fnmatch
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from ..graph.graph import Graph
from ..graph.node import Node
from .config import (
    NOT_GIVEN,
    ConfigSource,
    check_per_layer_ignores,
    with_config_and_fail_on,
)
from .finding import Finding
from .lint_error import LintError
from .ordering_warning import OrderingWarning
from .registry import (
    Selectors,
    all_rules,
    drop_restated,
    resolve,
    rules_matching,
)
from .report import LintReport
from .rule import Rule

PerLayerIgnores = Mapping[str, Sequence[str]] | None


def lint_model(
    model: Any,
    *,
    select: Selectors = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
    convention: str = "standard",
    per_layer_ignores: PerLayerIgnores = None,
    warn: bool = False,
) -> LintReport:
    """Lints a built Keras model for risky layer orderings.

    `lint_model` reads no configuration file: its result depends on its
    arguments alone, so a notebook gives the same findings wherever it runs.
    `check()`, `LintCallback` and the command line, the pipeline entry
    points, also read `[tool.keras_ordering]` from pyproject.toml.

    Args:
        model: a built `keras.Model`: Sequential, Functional (nested and
            shared layers included) or subclassed (traced once on zeros of
            its built input shape). A Keras 2 (`tf_keras`) Sequential or
            Functional model is linted from its config, as its saved file
            would be, with Keras 2 semantics (KO130); Keras 3 is not needed.
        select: rule codes (`"KO101"`), code prefixes (`"KO1"`), rule names
            (`"dropout-before-batchnorm"`) or `"ALL"`; replaces the default
            rule set.
        ignore: selectors of rules to leave out.
        extend_select: selectors of rules to add to the set, e.g. the opt-in
            `"KO120"`.
        convention: `"standard"` (BN before the activation) or `"ic"` (Chen
            et al.'s IC layer: BN after the activation, which switches off
            `batchnorm-after-activation`).
        per_layer_ignores: `{layer-name glob: [selectors]}`; a finding with a
            matching layer on its path and a matching code is left out (and
            counted in `report.suppressed`).
        warn: also emit one `OrderingWarning` per finding.

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
    ignores = _resolve_ignores(per_layer_ignores)
    report = lint_graph(_graph_of(model), rules, ignores)
    if warn:
        for finding in report:
            warnings.warn(
                f"{finding.code} {finding.name}: {finding.message}",
                OrderingWarning,
                stacklevel=2,
            )
    return report


def lint_file(
    path: str | os.PathLike,
    *,
    select: Selectors = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
    convention: str = "standard",
    per_layer_ignores: PerLayerIgnores = None,
) -> LintReport:
    """Lints a saved model (`.keras`, `.h5`, `.json`) without loading it.

    Reads only the model config, builds the same graph `lint_model` builds,
    and imports no ML framework. Options are those of `lint_model`.

    Raises:
        ModelFileError: the file is unreadable, unsafe or not a model.
    """
    from ..graph.build import GraphTooLargeError
    from ..graph.from_config import graph_from_config
    from ..graph.model_files import ModelFileError, read_model_file

    rules = resolve(select, ignore, extend_select, convention)
    ignores = _resolve_ignores(per_layer_ignores)
    config, loss = read_model_file(path)
    try:
        graph = graph_from_config(config, loss)
    except GraphTooLargeError as error:
        raise ModelFileError(path, str(error), too_large=True) from None
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise ModelFileError(
            path, f"not a model config this linter reads: {error}"
        ) from None
    return lint_graph(graph, rules, ignores)


def _graph_of(model: Any) -> Graph:
    """The neutral graph of a live model: a Keras 3 model through the live
    adapter, a Keras 2 (tf_keras) one through its config."""
    if _is_keras2_model(model):
        return _keras2_graph(model)
    from ..graph.from_keras import graph_from_model

    return graph_from_model(model)


# Where Keras 2 model classes live: tf_keras, and Keras 2.x installed as keras.
_KERAS2_MODULES = ("tf_keras.", "keras.engine.", "keras.src.engine.")


def _is_keras2_model(model: Any) -> bool:
    return any(
        klass.__module__.startswith(_KERAS2_MODULES) and klass.__name__ == "Model"
        for klass in type(model).__mro__
    )


def _keras2_graph(model: Any) -> Graph:
    import json

    from ..graph.from_config import graph_from_config

    try:
        config = json.loads(model.to_json())
    except NotImplementedError:
        config = {}
    if not isinstance((config.get("config") or {}).get("layers"), list):
        raise TypeError(
            f"{type(model).__name__} is a subclassed Keras 2 (tf_keras) model: "
            "its config holds no layer graph to lint. Lint its Sequential or "
            "Functional equivalent, or build it with Keras 3 and lint that."
        )
    compile_config = model.get_compile_config() if model.optimizer else None
    loss = (compile_config or {}).get("loss")
    try:
        return graph_from_config(config, loss)
    except ValueError as error:
        raise ValueError(f"cannot lint this Keras 2 model: {error}") from None


def check(
    model: Any,
    fail_on: str | None = NOT_GIVEN,
    *,
    config: ConfigSource = True,
    data: Any = None,
    batch_size: int | None = None,
    **options: Any,
) -> LintReport:
    """Lints `model` and raises `LintError` when a finding reaches `fail_on`.

    Reads `[tool.keras_ordering]` from the nearest pyproject.toml (the
    current directory, then its parents), as the command line does; each
    argument given here overrides the file's key of the same name.

    Args:
        model: a built Keras model.
        fail_on: `"error"`, `"warning"` or `"info"`; None never raises.
            Default: the file's `fail-on`, else `"warning"`.
        config: True finds pyproject.toml from the current directory
            upward; a path reads that file; False reads none.
        data: also run the data-aware rules (KO3xx) with `preflight` on
            this data: what `fit` takes as `x` when it yields its own batches
            (a `tf.data.Dataset`, `PyDataset`, generator), or a tuple
            `(x, y)` / `(x, y, sample_weight)` of arrays.
        batch_size: with `data`, the training batch size (`preflight`'s).
        **options: the keyword options of `lint_model` (`select`, `ignore`,
            `extend_select`, `convention`, `per_layer_ignores`, `warn`).

    Returns:
        The `LintReport`, when nothing reaches `fail_on`.

    Raises:
        LintError: findings at or above `fail_on`; it carries the report.
        ConfigError: an invalid `[tool.keras_ordering]` table.
    """
    fail_on, options = with_config_and_fail_on(fail_on, options, config)
    if data is None:
        report = lint_model(model, **options)
    else:
        from ..preflight_run import preflight_on

        report = preflight_on(model, data, batch_size, options)
    if fail_on is not None and report.at_or_above(fail_on):
        raise LintError(report, fail_on)
    return report


def _resolve_ignores(per_layer_ignores: PerLayerIgnores) -> list[tuple[str, set[str]]]:
    if not per_layer_ignores:
        return []
    if not isinstance(per_layer_ignores, Mapping):
        raise TypeError(
            "per_layer_ignores must map layer-name globs to rule selectors, "
            "e.g. {'dense*': ['KO106']}. Received: "
            f"{type(per_layer_ignores).__name__}"
        )
    checked = check_per_layer_ignores(dict(per_layer_ignores))
    return [
        (glob, {rule.code for s in selectors for rule in rules_matching(s, glob)})
        for glob, selectors in checked.items()
    ]


def _is_ignored(finding: Finding, ignores: list[tuple[str, set[str]]]) -> bool:
    for glob, codes in ignores:
        if finding.code in codes and any(
            fnmatch.fnmatchcase(layer, glob)
            or fnmatch.fnmatchcase(layer.rsplit("/", 1)[-1], glob)
            for layer in finding.layers
        ):
            return True
    return False


def lint_graph(
    graph: Graph,
    rules: Sequence[type[Rule]],
    ignores: list[tuple[str, set[str]]] | None = None,
) -> LintReport:
    """Runs `rules` on a neutral graph (from a live model or a file)."""
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(graph))
    findings = drop_restated(findings)  # Each problem once, whatever is selected.
    if len(findings) > 1:
        position = _positions(graph, {f.layers[0] for f in findings if f.layers})
        findings.sort(
            key=lambda f: (
                position.get(f.layers[0], (0, "")) if f.layers else (0, ""),
                f.code,
                f.layers,
            )
        )
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        (suppressed if _is_ignored(finding, ignores or []) else kept).append(finding)
    return LintReport(
        kept,
        model_name=graph.name,
        rules=[rule.code for rule in rules],
        opaque_layers=[
            _opaque_entry(node)
            for node in graph.opaque
            if "tensor_op" not in node.attrs
        ],
        suppressed=suppressed,
        notes=_graph_notes(graph),
    )


def _positions(graph: Graph, paths: set[str]) -> dict[str, tuple[int, str]]:
    """Where each of `paths` sits, top to bottom by graph depth (its first
    node's), the same whichever adapter built the graph: the order of
    findings."""
    depths = graph.depths()
    position: dict[str, tuple[int, str]] = {}
    for node in graph.nodes:
        if node.path in paths:
            key = (depths[node.index], node.path)
            position[node.path] = min(position.get(node.path, key), key)
    return position


def _graph_notes(graph: Graph) -> list[str]:
    """What the graph could not show: traced calls, unknown edges, opaque ops."""
    notes = []
    if graph.attrs.get("traced"):
        notes.append(
            "Subclassed model: its data flow was traced from one symbolic call "
            "(its layer calls and, on TensorFlow, the tensor operations between "
            "them)."
        )
    untraced = graph.attrs.get("untraced") or []
    if untraced:
        edges = "; ".join(
            f"layer '{owner}': {where}" for owner, where in dict.fromkeys(untraced)
        )
        notes.append(
            "Unknown edges: tensor operations between layer calls are traced on "
            "the TensorFlow backend only, so these inputs could not be traced "
            f"and paths through them are not checked: {edges}."
        )
    tensor_ops = [node for node in graph.opaque if "tensor_op" in node.attrs]
    if tensor_ops:
        counts: dict[str, int] = {}
        for node in tensor_ops:
            counts[node.layer_class] = counts.get(node.layer_class, 0) + 1
        listed = ", ".join(f"{op} x{count}" for op, count in sorted(counts.items()))
        notes.append(
            f"{len(tensor_ops)} tensor operations inside traced layers are opaque "
            f"to the rules ({listed}; first: '{tensor_ops[0].path}'); paths "
            "through them are not checked."
        )
    return notes


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
