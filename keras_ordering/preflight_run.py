"""`preflight`: the static lint plus the data-aware rules (KO3xx), measured
on a few batches of the user's data and the gradients of one training step.

The model is left exactly as it was: its variables (weights, BN moving
statistics, seed-generator states), its optimizer's and metrics' variables,
its layers' `trainable` flags, its compiled loss and metrics, and the
Python, numpy and Keras global random states are saved before and put back
after; the gradient step updates no weight and runs no optimizer.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from .diagnostics._observe import followed_by_construction
from .graph import kinds
from .graph.from_keras import (
    all_layers,
    compiled_loss_object,
    global_seed_generator,
    graph_from_model,
)
from .graph.graph import Graph
from .lint.api import PerLayerIgnores, _is_ignored, _resolve_ignores, lint_graph
from .lint.finding import Finding
from .lint.registry import Selectors, resolve
from .lint.report import LintReport
from .lint.rules.ko203_activation_loss_mismatch import output_head
from .preflight_checks import (
    build_on_first_batch,
    call_failure,
    check_label_structure,
    fit_computes_the_compiled_loss,
    input_name,
    loss_failure,
    non_finite_data,
    normalization_facts,
    output_names,
)
from .preflight_data import Batches, read_batches, samples
from .preflight_passes import (
    NonFiniteGradients,
    compiled_losses,
    flat,
    gradient_step,
    inference_pass,
    per_output,
    run_passes,
    shares_the_training_pass,
)
from .preflight_rule import DataRule, InputFacts, OutputFacts, PreflightFacts


def preflight(
    model: Any,
    x: Any,
    y: Any = None,
    *,
    sample_weight: Any = None,
    batch_size: int | None = None,
    select: Selectors = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
    convention: str = "standard",
    per_layer_ignores: PerLayerIgnores = None,
) -> LintReport:
    """Lints `model` and checks it against a few batches of its data.

    Runs `lint_model(model)` and the data-aware rules (KO301-KO308): labels
    that do not fit the output and loss, unscaled inputs, batches too small
    for BatchNormalization, unadapted preprocessing layers, layers ignoring
    `training`, a loss at initialization far from its expected value, NaN or
    inf in one training step, regression targets far from the output's
    scale. The model is left exactly as it was.

    Reads at most 4 batches (`preflight_data.MAX_BATCHES`; of arrays, at
    most 1024 samples): labels and input ranges are judged on all of them,
    the model runs on the first one only: a training pass that the NaN
    watch observes, an inference pass where user code needs the
    training-flag audit (Keras' own graph and layers follow the flag by
    construction) or a rule needs the outputs at inference, and the
    backward pass of the training one for the loss and gradients of one
    step (on JAX, one more traced training pass), with no optimizer
    update and no clone.

    Args:
        model: a Keras model, compiled for the loss rules; one not built
            yet is built on the first batch, as `fit` builds it.
        x: input arrays (or a dict / list of them), a `tf.data.Dataset`, a
            `keras.utils.PyDataset`, a generator or an iterable yielding
            `(x, y)` or `(x, y, sample_weight)` batches (a generator is
            advanced by the batches read).
        y: targets, with arrays only.
        sample_weight: per-sample weights, with arrays only.
        batch_size: the training batch size (default: the dataset's batch
            size, or 32 for arrays as in `fit`).
        select, ignore, extend_select, convention, per_layer_ignores: as for
            `lint_model`.

    Returns:
        A `LintReport`: the static findings then the data-aware ones.

    Example:

    >>> import keras, numpy as np
    >>> from keras_ordering import preflight
    >>> model = keras.Sequential([
    ...     keras.Input((8,)),
    ...     keras.layers.Dense(4, activation="sigmoid", name="head"),
    ... ])
    >>> model.compile(loss="binary_crossentropy")
    >>> x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
    >>> y = np.eye(4)[np.arange(64) % 4]  # One-hot: exclusive classes.
    >>> [(f.code, f.layers) for f in preflight(model, x, y)]
    [('KO301', ('head',))]
    """
    rules = resolve(select, ignore, extend_select, convention)
    ignores = _resolve_ignores(per_layer_ignores)
    batches, built = None, []
    if isinstance(model, keras.Model) and model.layers and not model.built:
        batches = read_batches(x, y, sample_weight, batch_size)
        built.append(build_on_first_batch(model, batches.first[0]))
    graph = graph_from_model(model)
    report = lint_graph(graph, rules, ignores)
    report.notes = (*built, *report.notes)
    data_rules = [rule for rule in rules if issubclass(rule, DataRule)]
    if not data_rules:
        return report
    if batches is None:
        batches = read_batches(x, y, sample_weight, batch_size)
    check_label_structure(model, graph, batches.first[1])
    with kept_state(model):
        facts = measure(model, graph, batches, data_rules)
    found: list[Finding] = []
    for rule in data_rules:
        found.extend(rule.check_data(facts))
    if facts.loss_error is not None and not any(f.severity == "error" for f in found):
        # `fit` fails here too, and no finding says why: refused in one line.
        raise ValueError(loss_failure(facts.loss_error)) from facts.loss_error
    kept = [f for f in found if not _is_ignored(f, ignores)]
    suppressed = [f for f in found if _is_ignored(f, ignores)]
    return LintReport(
        [*report.findings, *kept],
        model_name=report.model_name,
        rules=report.rules,
        opaque_layers=report.opaque_layers,
        suppressed=[*report.suppressed, *suppressed],
        notes=[*report.notes, *facts.notes],
    )


# --- Leaving the model as it was ---------------------------------------------


def _numpy(value: Any) -> np.ndarray:
    return np.array(keras.ops.convert_to_numpy(value), copy=True)


def _unchanged(variable: Any, saved: np.ndarray) -> bool:
    """The variable still holds `saved`, bit for bit; False when it cannot
    be read (then it is assigned, as before the comparison existed)."""
    try:
        current = np.asarray(keras.ops.convert_to_numpy(variable))
    except Exception:
        return False
    return _same_bits(current, saved)


def _same_bits(current: np.ndarray, saved: np.ndarray) -> bool:
    """Bit for bit the same (NaN equal to the same NaN, -0.0 not 0.0)."""
    if current.shape != saved.shape or current.dtype != saved.dtype:
        return False
    if current.dtype.itemsize == 0 or current.dtype.hasobject:
        return bool(np.array_equal(current, saved))
    flat = np.ascontiguousarray(current).reshape(-1).view(np.uint8)
    return bool(
        np.array_equal(flat, np.ascontiguousarray(saved).reshape(-1).view(np.uint8))
    )


def _stateful_variables(model: Any) -> list[Any]:
    found = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        found += list(optimizer.variables)
    found += list(getattr(model, "metrics_variables", []))
    generator = global_seed_generator()
    if generator is not None:
        found.append(generator.state)
    unique: dict[int, Any] = {}
    for variable in found:
        unique.setdefault(id(variable), variable)
    return list(unique.values())


@contextlib.contextmanager
def kept_state(model: Any) -> Iterator[None]:
    """Puts back every variable, `trainable` flag and random state of
    `model` (and the process's random states) when the block ends."""
    variables = [(v, _numpy(v)) for v in _stateful_variables(model)]
    trainable = [(layer, layer.trainable) for layer in _layers(model)]
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        for layer, flag in trainable:
            if layer.trainable != flag:
                layer.trainable = flag
        for variable, value in variables:
            # Only what moved (BN statistics, seed states): an assignment
            # costs more than the read.
            if not _unchanged(variable, value):
                variable.assign(value)


def _layers(model: Any) -> list[Any]:
    found = [model]
    for layer in getattr(model, "layers", []):
        found.extend(_layers(layer) if hasattr(layer, "layers") else [layer])
    return found


# --- Measuring ----------------------------------------------------------------


def _sample_losses(loss: Any, labels: Any, predictions: Any) -> Any:
    """The loss of each sample, or None when it cannot be computed."""
    if loss is None or labels is None:
        return None
    try:
        y_pred = keras.ops.convert_to_tensor(predictions)
        y_true = keras.ops.convert_to_tensor(labels)
        function = compiled_loss_object(loss, y_true, y_pred)
        # As `Loss.__call__` does before `call`: both in the loss's dtype.
        dtype = getattr(function, "dtype", None) or y_pred.dtype
        values = function.call(
            keras.ops.cast(y_true, dtype), keras.ops.cast(y_pred, dtype)
        )
        values = np.asarray(keras.ops.convert_to_numpy(values), dtype="float64")
    except Exception:  # A custom or mismatched loss: KO306 says nothing.
        return None
    return values.reshape(values.shape[0], -1).mean(axis=1) if values.ndim else None


def _output_facts(
    model: Any,
    graph: Graph,
    batches: Batches,
    predictions: list[Any],
    training: list[Any],
) -> list[OutputFacts]:
    """`training`: the outputs in training mode, what the first step's loss
    is computed on (BN with batch statistics, not its initial moving ones);
    `predictions`: those in inference mode, empty when that pass did not
    run."""
    names = output_names(model, graph)
    labels = per_output(batches.stacked[1], names)
    first_labels = per_output(batches.first[1], names)
    losses = compiled_losses(model, names)
    facts = []
    for position, index in enumerate(graph.outputs):
        node = graph.nodes[index]
        head = output_head(graph, index)
        activation = None
        if head is not None and head[0].kind == kinds.ACTIVATION:
            activation = head[0].attrs.get("activation")
        prediction = predictions[position] if position < len(predictions) else None
        trained = training[position] if position < len(training) else prediction
        units = (
            int(trained.shape[-1]) if trained is not None and trained.ndim > 1 else 1
        )
        label = labels[position] if position < len(labels) else None
        loss = losses[position] if position < len(losses) else None
        first = first_labels[position] if position < len(first_labels) else None
        facts.append(
            OutputFacts(
                name=head[0].path if head else node.path,
                activation=activation,
                units=units,
                loss=node.attrs.get("loss"),
                from_logits=bool(node.attrs.get("from_logits")),
                labels=None if label is None else np.asarray(label),
                predictions=prediction,
                sample_losses=_sample_losses(loss, first, training[position])
                if position < len(training)
                else None,
                inference_losses=None
                if prediction is None or first is None
                else _sample_losses(loss, _rows(first, len(prediction)), prediction),
            )
        )
    return facts


def _rows(labels: Any, count: int) -> Any:
    """The first `count` rows of a label array (those the inference pass
    ran on)."""
    try:
        return np.asarray(labels)[:count]
    except Exception:  # Not an array: no loss is computed on it.
        return None


def _reads_indices(model: Any) -> bool:
    """The first weight layer is an Embedding: the inputs are indices."""
    for layer in _layers(model)[1:]:
        if hasattr(layer, "layers") or not layer.weights:
            continue
        return isinstance(layer, keras.layers.Embedding)
    return False


def _preprocessing(model: Any) -> tuple[tuple[float, float] | None, bool, str]:
    """What the model does to its inputs before its first weight layer: a
    fixed rescaling `(scale, offset)`, whether it normalizes them, and the
    first weight layer's name."""
    scaling = None
    for layer in _layers(model)[1:]:
        if hasattr(layer, "layers"):
            continue  # A nested model: its own layers follow.
        if isinstance(layer, keras.layers.Rescaling):
            scale = float(np.mean(layer.scale)) if layer.scale is not None else 1.0
            offset = float(np.mean(layer.offset)) if layer.offset is not None else 0.0
            scaling = (scale, offset)
        elif isinstance(layer, keras.layers.Normalization):
            return scaling, True, layer.name
        elif isinstance(layer, keras.layers.InputLayer):
            continue
        elif layer.trainable_weights or layer.non_trainable_weights:
            is_norm = kinds.kind_of(type(layer).__name__) in (
                kinds.BATCH_NORM,
                kinds.NORMALIZATION,
            )
            return scaling, is_norm, layer.name
        elif kinds.kind_of(type(layer).__name__) == kinds.UNKNOWN and not (
            type(layer).__module__.startswith("keras.")
        ):
            # Custom code (a Lambda or a user layer) may scale the inputs.
            return scaling, True, layer.name
    return scaling, False, ""


def _frozen_backbone(model: Any) -> tuple[str, str] | None:
    """(name, first weight layer) of the nested model holding the first
    layer with weights, when that model is frozen; None otherwise."""
    for layer in getattr(model, "layers", []):
        if not layer.weights:
            continue
        if not hasattr(layer, "layers"):
            return None
        first = next((inner for inner in _layers(layer)[1:] if inner.weights), None)
        if first is None or hasattr(first, "layers"):
            return None
        frozen = not layer.trainable or not layer.trainable_weights
        return (layer.name, first.name) if frozen else None
    return None


def _input_facts(model: Any, batches: Batches) -> list[InputFacts]:
    scaling, normalizes, first = _preprocessing(model)
    indices = _reads_indices(model)
    backbone = _frozen_backbone(model)
    inputs = list(getattr(model, "inputs", None) or [])
    values = flat(batches.stacked[0])
    facts = []
    for position, array in enumerate(values):
        array = np.asarray(array)
        tensor = inputs[position] if position < len(inputs) else None
        shape = tuple(tensor.shape[1:]) if tensor is not None else array.shape[1:]
        facts.append(
            InputFacts(
                name=input_name(tensor, position),
                layer=first,
                shape=shape,
                values=array,
                integer=np.issubdtype(array.dtype, np.integer),
                scaling=scaling,
                normalizes=normalizes,
                frozen_backbone=backbone,
                reads_indices=indices,
            )
        )
    return facts


def _training_batch_norms(graph: Graph) -> list[str]:
    return list(
        dict.fromkeys(
            node.path
            for node in graph.nodes
            if node.kind == kinds.BATCH_NORM
            and node.attrs.get("trainable", True) is not False
            and node.attrs.get("training") is not False
        )
    )


def _compiled_with_a_loss(model: Any) -> bool:
    """`compile(loss=...)`, or `add_loss` terms from the model's last call
    (after the passes): what `fit` trains on. `compile()` alone, with
    neither, readies a custom training loop (`fit` would fail: there is no
    loss to compute)."""
    if not getattr(model, "compiled", False):
        return False
    return getattr(model, "loss", None) is not None or bool(model.losses)


def _replicas(model: Any) -> int:
    strategy = getattr(model, "distribute_strategy", None)
    count = getattr(strategy, "num_replicas_in_sync", 1)
    return int(count) if isinstance(count, int) and count > 0 else 1


def measure(
    model: Any, graph: Graph, batches: Batches, rules: Sequence[type[DataRule]]
) -> PreflightFacts:
    """The facts the data-aware `rules` judge."""
    codes = {rule.code for rule in rules}
    notes: list[str] = []
    x = batches.first[0]
    non_finite = non_finite_data(model, graph, batches)
    if batches.first[1] is None and getattr(model, "loss", None) is not None:
        notes.append(
            "The data holds no labels, but the model is compiled with a loss "
            "(fit needs them): the label and loss checks (KO301, KO306, "
            "KO307's training step) did not run."
        )
    audit = "KO305" in codes and samples(x) >= 2
    if "KO305" in codes and not audit:
        notes.append(
            "The training-flag audit needs a batch of 2 samples or more; "
            "it did not run."
        )
    # The gradient step's conditions that are known before any pass runs;
    # the rest (nothing non-finite so far) is judged after the passes.
    may_step = (
        "KO307" in codes
        and bool(getattr(model, "compiled", False))
        and batches.first[1] is not None
    )
    # Keras' own graph and layers follow the flag by construction: the
    # audit (and the inference pass it needs) runs only where user code is.
    audit = audit and not followed_by_construction(model)
    shared = may_step and shares_the_training_pass(model, audit)
    try:
        passes = run_passes(
            model,
            x,
            audit,
            record=shared,
            restore=may_step and not shared,
        )
    except Exception as error:
        raise ValueError(call_failure(model, x, error)) from error
    try:
        return _judged(model, graph, batches, rules, notes, non_finite, passes)
    finally:
        if passes[4] is not None:
            passes[4].release()


def _judged(
    model: Any,
    graph: Graph,
    batches: Batches,
    rules: Sequence[type[DataRule]],
    notes: list[str],
    non_finite: tuple[str, str, str] | None,
    passes: tuple[Any, ...],
) -> PreflightFacts:
    codes = {rule.code for rule in rules}
    predictions, training, first_bad, result, recorded, normalized = passes
    loss_error: BaseException | None = None
    failures: list[tuple[str, str, str]] = []
    if result is not None:
        failures = [(e.layer, e.layer_class, e.explanation) for e in result.failures]
    if non_finite is None and first_bad is not None:
        non_finite = first_bad
    outputs = _output_facts(model, graph, batches, predictions, training)
    if not predictions and any(
        rule.needs_inference(output) for rule in rules for output in outputs
    ):
        try:
            predictions = inference_pass(model, batches.first[0])
        except Exception as error:
            raise ValueError(call_failure(model, batches.first[0], error)) from error
        outputs = _output_facts(model, graph, batches, predictions, training)
    if non_finite is None and "KO307" in codes:
        for output in outputs:
            if output.sample_losses is not None and not np.all(
                np.isfinite(output.sample_losses)
            ):
                non_finite = ("loss", output.name, "the loss")
        if (
            non_finite is None
            and getattr(model, "compiled", False)
            and batches.first[1] is not None
        ):
            try:
                what = gradient_step(
                    model, batches, output_names(model, graph), recorded
                )
            except Exception as error:  # A custom loss or training step...
                if not _compiled_with_a_loss(model):
                    notes.append(
                        "The model is compiled without a loss and adds none "
                        "(`add_loss`): fit cannot train it as it is (a custom "
                        "training loop?), so the loss checks (KO306, KO307's "
                        "training step) did not run."
                    )
                else:
                    if fit_computes_the_compiled_loss(model):
                        loss_error = error
                    notes.append(
                        "Preflight could not compute the loss and gradients of a "
                        f"training step ({type(error).__name__}), so its "
                        "gradients were not checked for NaN or inf."
                    )
            else:
                if isinstance(what, NonFiniteGradients):
                    non_finite = _gradient_finding(model, graph, what)
                elif what is not None:
                    non_finite = (what, outputs[0].name if outputs else "", what)
    return PreflightFacts(
        graph=graph,
        inputs=_input_facts(model, batches),
        outputs=outputs,
        batch_size=batches.batch_size,
        last_batch=batches.last_batch,
        total_samples=batches.total,
        replicas=_replicas(model),
        training_batch_norms=_training_batch_norms(graph),
        flag_failures=failures,
        non_finite=non_finite,
        notes=notes,
        loss_error=loss_error,
        normalizations=normalization_facts(normalized),
    )


def _gradient_finding(
    model: Any, graph: Graph, bad: NonFiniteGradients
) -> tuple[str, str, str]:
    """("gradients", the layer where the backward pass first meets non-finite
    weight gradients, every such layer): the last of them in the graph's
    order, since the backward pass runs from the loss to the inputs."""
    owners: dict[int, str] = {}
    for layer in all_layers(model):  # Parents first: the innermost owner wins.
        for variable in getattr(layer, "trainable_weights", []):
            owners[id(variable)] = layer.name
    names = list(dict.fromkeys(owners.get(id(v), "") for v in bad.variables))
    order: dict[str, tuple[int, str]] = {}
    for node in graph.nodes:
        last = node.path.rsplit("/", 1)[-1]
        if last in names and last not in order:
            order[last] = (node.index, node.path)
    found = sorted(order.values())
    if not found:
        return ("gradients", "", "")
    return ("gradients", found[-1][1], ", ".join(repr(path) for _, path in found))


def preflight_on(
    model: Any, data: Any, batch_size: int | None, options: Mapping[str, Any]
) -> LintReport:
    """`preflight` for `check(data=)` and `LintCallback(data=)`: `data` is a
    batch source or an `(x, y)` / `(x, y, sample_weight)` tuple of arrays;
    `options` are `lint_model`'s (`warn` emits one warning per finding)."""
    options = dict(options)
    warn = options.pop("warn", False)
    if isinstance(data, tuple) and len(data) > 3:
        raise ValueError(
            f"`data` is a tuple of {len(data)} items: give (x, y) or "
            "(x, y, sample_weight), as fit takes them."
        )
    inputs = list(getattr(model, "inputs", None) or [])
    if isinstance(data, list) and inputs and len(data) != len(inputs):
        raise ValueError(
            f"`data` is a list of {len(data)} items, read as the model's inputs, "
            f"but the model takes {len(inputs)}: give (x, y) as a tuple."
        )
    if isinstance(data, tuple) and 1 <= len(data) <= 3:
        x, y, weights = (*data, None, None)[:3]
    else:
        x, y, weights = data, None, None
    report = preflight(
        model, x, y, sample_weight=weights, batch_size=batch_size, **options
    )
    if warn:
        import warnings

        from .lint.ordering_warning import OrderingWarning

        for finding in report:
            warnings.warn(
                f"{finding.code} {finding.name}: {finding.message}",
                OrderingWarning,
                stacklevel=3,
            )
    return report
