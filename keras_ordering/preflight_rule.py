"""What the data-aware rules (KO3xx) read: `PreflightFacts`, their base
class `DataRule` and `DataExample`, a model plus a small dataset.

Kept free of keras and numpy at import time, like every rule module:
`preflight_run` measures the facts on the live model and the user's batch,
the rules only judge them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .graph.graph import Graph
from .lint.example import Example
from .lint.finding import Finding
from .lint.path_pattern import PathPattern
from .lint.patterns import LayerPattern
from .lint.rule import Rule


@dataclass(frozen=True)
class InputFacts:
    """One model input and the values the user's batches hold for it.

    Attributes:
        name: the input's name.
        layer: the first layer that reads it (for `Finding.layers`).
        shape: the input's shape without the batch axis.
        values: the sample read (numpy), every batch read stacked.
        integer: the data's dtype is an integer type (uint8 images...).
        scaling: the fixed rescaling the model applies before its first
            weight layer, as `(scale, offset)`; None when there is none.
        normalizes: the model normalizes this input (an adapted or explicit
            `Normalization`, or a keras.applications preprocessing layer)
            before its first weight layer.
        frozen_backbone: `(model name, first weight layer name)` of a
            frozen nested model (`trainable=False`: pretrained weights, as
            in transfer learning) whose first weight layer is the first the
            input reaches; None otherwise.
        reads_indices: the first weight layer is an `Embedding`: the
            values are indices (token or character ids), not magnitudes.
    """

    name: str
    layer: str
    shape: tuple[Any, ...]
    values: Any
    integer: bool
    scaling: tuple[float, float] | None = None
    normalizes: bool = False
    frozen_backbone: tuple[str, str] | None = None
    reads_indices: bool = False


@dataclass(frozen=True)
class NormalizationFacts:
    """What a `Normalization` holding statistics (adapted, explicit or
    loaded) made of the first batch: its output, per feature (each position
    of the axes it keeps), should have a mean near 0 and a spread near 1.

    Attributes:
        layer: the layer's path.
        offset: the median over features of |the output's batch mean|.
        spread: the median over the features that vary in the batch of the
            output's batch standard deviation; None when none varies.
        features: the number of features.
        spreads: every feature's batch standard deviation (numpy).
        explicit: its statistics were given (`mean=`, `variance=`), not
            adapted or loaded.
    """

    layer: str
    offset: float
    spread: float | None
    features: int
    spreads: Any = None
    explicit: bool = False


@dataclass(frozen=True)
class OutputFacts:
    """One model output, its loss and the labels given for it.

    Attributes:
        name: the output's layer path.
        activation: the canonical activation deciding its range, None when
            linear or unknown.
        units: the size of its last axis.
        loss: the loss name as `graph.losses` reports it, or None.
        from_logits: the loss's `from_logits`.
        labels: the labels read (numpy), every batch stacked; None without y.
        predictions: the output on the first batch at initialization
            (inference mode; on TensorFlow and PyTorch its first 16 rows
            at most), numpy; None when no rule asked for the inference
            pass (`DataRule.needs_inference`).
        sample_losses: the compiled loss per sample on the first batch,
            numpy, or None when it could not be computed.
        inference_losses: the same on the inference-mode predictions (the
            rows of `predictions`), or None (as `predictions`).
    """

    name: str
    activation: str | None
    units: int | None
    loss: str | None
    from_logits: bool
    labels: Any = None
    predictions: Any = None
    sample_losses: Any = None
    inference_losses: Any = None

    def numeric_labels(self) -> Any:
        """The labels as float64 numpy, None without labels or when they
        are not numbers (strings, objects): no label rule judges those."""
        import numpy as np

        if self.labels is None:
            return None
        labels = np.asarray(self.labels)
        if labels.dtype.kind not in "biuf":
            return None
        return labels.astype("float64")


@dataclass(frozen=True)
class PreflightFacts:
    """Everything the data-aware rules judge, measured by `preflight`.

    Attributes:
        graph: the neutral graph of the model.
        inputs / outputs: one entry per model input / output.
        batch_size: samples per training step (the first batch's size, or
            `batch_size=`).
        last_batch: the samples in an epoch's last batch when it is smaller
            than the others (`N % batch_size` of arrays); None when every
            batch is full or the data does not tell.
        total_samples: the samples of an epoch, where the data tells.
        replicas: replicas a step is split over (a distribution strategy).
        training_batch_norms: paths of the BN layers that train (trainable,
            not called with `training=False`).
        flag_failures: `(layer path, layer class, explanation)` of the layers
            `audit_training_flag` found ignoring or forcing `training`.
        non_finite: where NaN or inf first appear, as `(what, layer path,
            detail)`; None when everything stayed finite.
        notes: what preflight could not check.
        loss_error: why the compiled loss failed on the first batch, on a
            model that `fit` trains on that loss (it would fail there too);
            `preflight` raises it unless an error-level finding explains it.
        normalizations: what each `Normalization` holding statistics made
            of the first batch (training pass).
    """

    graph: Graph
    inputs: Sequence[InputFacts]
    outputs: Sequence[OutputFacts]
    batch_size: int
    last_batch: int | None = None
    total_samples: int | None = None
    replicas: int = 1
    training_batch_norms: Sequence[str] = ()
    flag_failures: Sequence[tuple[str, str, str]] = ()
    non_finite: tuple[str, str, str] | None = None
    notes: Sequence[str] = field(default_factory=list)
    loss_error: BaseException | None = None
    normalizations: Sequence[NormalizationFacts] = ()


class DataRule(Rule):
    """Base class of the data-aware rules: `check_data(facts)` yields the
    findings; on the static path (`lint_model`, `lint_file`) they find
    nothing."""

    needs_data: ClassVar[bool] = True
    # Never matched: the static lint asks every selected rule.
    pattern: ClassVar[PathPattern] = PathPattern(start=LayerPattern(()))

    @classmethod
    def check(cls, graph: Graph) -> Iterator[Finding]:
        return iter(())

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def needs_inference(cls, output: OutputFacts) -> bool:
        """Whether judging `output` needs its inference-mode `predictions`
        and `inference_losses`. Preflight runs the inference pass only when
        a selected rule says so for some output, or when the training-flag
        audit runs (it needs both modes); otherwise both stay None."""
        return False

    @classmethod
    def finding(cls, layers: Sequence[str], message: str) -> Finding:
        return Finding(
            code=cls.code,
            name=cls.name,
            severity=cls.severity,
            message=message,
            layers=tuple(layers),
            fix=cls.fix,
            reference=cls.reference,
        )


# A data recipe: (kind, arguments...). Kinds:
#   ("normal", shape, mean, std)      float32 normal values
#   ("uniform", shape, low, high)     float32 uniform values
#   ("pixels", shape[, dtype])        whole values in 0..255 (uint8)
#   ("onehot", n, classes)            one-hot rows
#   ("multihot", n, classes)          rows with two ones
#   ("index", n, classes)             integer class indices, shape (n,)
#   ("binary", n, units)              independent 0 / 1 targets
DataSpec = tuple[Any, ...]


def make_array(spec: DataSpec, seed: int = 0) -> Any:
    """The numpy array a data recipe describes (imports numpy)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    kind, *args = spec
    if kind == "normal":
        shape, mean, std = args
        return np.asarray(rng.normal(mean, std, size=shape), dtype="float32")
    if kind == "uniform":
        shape, low, high = args
        return np.asarray(rng.uniform(low, high, size=shape), dtype="float32")
    if kind == "pixels":
        dtype = args[1] if len(args) > 1 else "uint8"
        return rng.integers(0, 256, size=args[0]).astype(dtype)
    n, classes = args
    index = np.arange(n) % classes
    rng.shuffle(index)
    if kind == "index":
        return index.astype("int64")
    if kind == "onehot":
        return np.eye(classes, dtype="float32")[index]
    if kind == "multihot":
        rows = np.eye(classes, dtype="float32")[index]
        return np.maximum(rows, np.eye(classes, dtype="float32")[(index + 1) % classes])
    if kind == "binary":
        return rng.integers(0, 2, size=(n, classes)).astype("float32")
    raise ValueError(f"unknown data recipe {kind!r}")


def _spec_code(spec: DataSpec) -> str:
    kind, *args = spec
    if kind == "normal":
        return f"rng.normal({args[1]}, {args[2]}, size={args[0]}).astype('float32')"
    if kind == "uniform":
        return f"rng.uniform({args[1]}, {args[2]}, size={args[0]}).astype('float32')"
    if kind == "pixels":
        return f"rng.integers(0, 256, size={args[0]}).astype('uint8')"
    n, classes = args
    index = f"rng.permutation(np.arange({n}) % {classes})"
    if kind == "index":
        return index
    if kind == "onehot":
        return f"np.eye({classes})[{index}]"
    if kind == "multihot":
        eye = f"np.eye({classes})"
        return f"np.minimum({eye}[i] + {eye}[(i + 1) % {classes}], 1)"
    return f"rng.integers(0, 2, size=({n}, {classes})).astype('float32')"


@dataclass(frozen=True)
class DataExample(Example):
    """An `Example` model plus a small dataset (`x`, `y` recipes) and the
    `batch_size` preflight reads it with."""

    x: DataSpec = ("normal", (32, 8), 0.0, 1.0)
    y: DataSpec | None = None
    batch_size: int | None = None
    # `(function name in preflight_examples, keyword arguments)`: a model
    # with a custom layer, which `layers` / `nodes` cannot describe.
    factory: tuple[str, Mapping[str, Any]] | None = None

    def build(self) -> Any:
        if self.factory is None:
            return super().build()
        from . import preflight_examples

        name, kwargs = self.factory
        return getattr(preflight_examples, name)(**kwargs)

    def data(self) -> tuple[Any, Any]:
        """The example's `(x, y)` arrays."""
        return make_array(self.x, 0), (
            None if self.y is None else make_array(self.y, 1)
        )

    def code(self) -> str:
        if self.factory is None:
            model = super().code()
        else:
            # Read, not imported: the docs render without keras.
            source = Path(__file__).with_name("preflight_examples.py").read_text()
            name, kwargs = self.factory
            arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
            model = "\n".join(
                [
                    source.split('"""', 2)[2].strip(),
                    f"model = {name}({arguments})",
                ]
            ).replace("from __future__ import annotations\n", "")
        lines = [model, "import numpy as np", "rng = np.random.default_rng(0)"]
        lines.append(f"x = {_spec_code(self.x)}")
        if self.y is not None:
            if self.y[0] == "multihot":
                lines.append(
                    f"i = rng.permutation(np.arange({self.y[1]}) % {self.y[2]})"
                )
            lines.append(f"y = {_spec_code(self.y)}")
        call = "x, y" if self.y is not None else "x"
        if self.batch_size is not None:
            call += f", batch_size={self.batch_size}"
        lines.append(f"# keras_ordering.preflight(model, {call})")
        return "\n".join(lines).replace("'", '"')
