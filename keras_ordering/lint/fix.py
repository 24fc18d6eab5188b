"""`PlanEditor`: what a rule's `autofix` may write, as `lint/` sees it.

`rewrite/` builds a `RewritePlan` that has these members and applies it;
`lint/` names only this protocol, so it imports nothing from `rewrite/`,
not even for types. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

# A factory of a brand-new Keras layer.
LayerFactory = Callable[[], Any]
# Called before / after a layer: an original layer's name, or a new layer.
Item = str | LayerFactory
# Weights of a layer (a list of numpy arrays) -> the weights of its clone.
WeightTransform = Callable[[list[Any]], list[Any]]


class PlanEditor(Protocol):
    """The edits of one rewrite round, keyed by original layer name (see
    `rewrite/_plan.py`'s `RewritePlan` for what each one does)."""

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
