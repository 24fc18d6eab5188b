"""Fixes as data: what a rule's `autofix` returns, as `lint/` sees it.

In the style of Ruff's `Fix` and `Applicability`: `Rule.autofix` returns a
`Fix`, an ordered tuple of edits keyed by original layer name plus one
`Applicability`, and changes nothing itself. `rewrite/` applies the edits
onto its `RewritePlan` (`RewritePlan.apply`) and reads the applicability, so
`lint/` imports nothing from `rewrite/`, not even for types. Pure Python:
edits hold layer classes and values, never a closure, so two calls of
`autofix` on one finding give equal `Fix`es.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Applicability(enum.Enum):
    """How safe a fix is to apply (Ruff's `Applicability`, for models).

    - `EXACT`: the trained model predicts the same at inference (a dropout
      moved, a bias folded into the BN's moving mean).
    - `CHANGES_PREDICTIONS`: what the trained model computes changes
      (`fix_model` advises, or with `recalibrate_with=` runs, BN
      recalibration).
    - `ON_REQUEST`: the fix guesses intent, so `fix_model` applies it only
      when `select=` or `extend_select=` names the rule by code or name.
    """

    EXACT = "exact"
    CHANGES_PREDICTIONS = "changes-predictions"
    ON_REQUEST = "on-request"


@dataclass(frozen=True)
class NewLayer:
    """A brand-new Keras layer, as data: built as `layer_class(**config)`."""

    layer_class: Any
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Skip:
    """The call of `layer` is skipped: its input passes through."""

    layer: str


@dataclass(frozen=True)
class MoveAfter:
    """`layer` is skipped where it is and called right after `target`."""

    layer: str
    target: str


@dataclass(frozen=True)
class MoveBefore:
    """`layer` is skipped where it is and called right before `target`."""

    layer: str
    target: str


@dataclass(frozen=True)
class InsertAfter:
    """A new layer is called right after `target`."""

    target: str
    new: NewLayer


@dataclass(frozen=True)
class InsertBefore:
    """A new layer is called right before `target`."""

    target: str
    new: NewLayer


@dataclass(frozen=True)
class SplitActivation:
    """Weight layer `layer`'s `activation=` becomes linear, and an
    `Activation` layer of that function (named `<layer>_activation`) is
    called right after `after`."""

    layer: str
    after: str


@dataclass(frozen=True)
class SetConfig:
    """Settings overriding `layer`'s config in its clone."""

    layer: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Replace:
    """`layer`'s clone is replaced by a new layer."""

    layer: str
    new: NewLayer


@dataclass(frozen=True, eq=False)
class NewWeights:
    """The weights (arrays) set on `layer`'s clone or replacement."""

    layer: str
    weights: tuple[Any, ...]

    def __eq__(self, other: object) -> bool:
        # Arrays compare elementwise; compared here without importing numpy.
        return (
            isinstance(other, NewWeights)
            and self.layer == other.layer
            and len(self.weights) == len(other.weights)
            and all(map(_same_array, self.weights, other.weights))
        )

    def __hash__(self) -> int:
        return hash((self.layer, len(self.weights)))


Edit = (
    Skip
    | MoveAfter
    | MoveBefore
    | InsertAfter
    | InsertBefore
    | SplitActivation
    | SetConfig
    | Replace
    | NewWeights
)


@dataclass(frozen=True)
class Fix:
    """The rewrite that removes one finding: its edits, in order, and one
    applicability.

    Attributes:
        edits: what to do to the model, applied in order (the order of the
            layers inserted after one target is the order of the edits).
        applicability: how safe it is (`Applicability`).
        description: what it does, for the user (`Change.description`).
        layers: the layers it answers (`Change.layers`; the finding's).
    """

    edits: tuple[Edit, ...]
    applicability: Applicability
    description: str
    layers: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "edits", tuple(self.edits))
        object.__setattr__(self, "layers", tuple(self.layers))
        if not isinstance(self.applicability, Applicability):
            raise TypeError(
                f"Fix.applicability must be an Applicability, not "
                f"{self.applicability!r}"
            )

    @property
    def exact(self) -> bool:
        """False when the fix changes what the trained model predicts."""
        return self.applicability is not Applicability.CHANGES_PREDICTIONS


def _same_array(a: Any, b: Any) -> bool:
    if a is b:
        return True
    shape_a, shape_b = getattr(a, "shape", None), getattr(b, "shape", None)
    if shape_a is None and shape_b is None:
        return bool(a == b)
    if shape_a != shape_b:
        return False
    same = a == b
    return bool(same.all()) if hasattr(same, "all") else bool(same)


# The legacy interface, kept so that a user's rule written against it still
# runs: `autofix(cls, finding, graph, model, plan)` adding to a `PlanEditor`
# and returning None or why not. New rules return a `Fix`.

# A factory of a brand-new Keras layer.
LayerFactory = Callable[[], Any]
# Called before / after a layer: an original layer's name, or a new layer.
Item = str | LayerFactory
# Weights of a layer (a list of numpy arrays) -> the weights of its clone.
WeightTransform = Callable[[list[Any]], list[Any]]


class PlanEditor(Protocol):
    """The edits of one rewrite round, keyed by original layer name (see
    `rewrite/_plan.py`'s `RewritePlan`); the legacy `autofix` interface."""

    skip: set[str]
    before: dict[str, list[Item]]
    after: dict[str, list[Item]]
    config: dict[str, dict[str, Any]]
    weights: dict[str, WeightTransform]
    replace: dict[str, LayerFactory]
    new_weights: dict[str, list[Any]]

    def move_after(self, name: str, target: str) -> None: ...

    def move_before(self, name: str, target: str) -> None: ...

    def split_activation(self, model: Any, name: str) -> LayerFactory: ...

    def record(
        self,
        code: str,
        description: str,
        layers: Iterable[str],
        *,
        exact: bool = True,
    ) -> None: ...
