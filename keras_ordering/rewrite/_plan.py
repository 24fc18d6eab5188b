"""`RewritePlan`: what one rewrite round does to a model, keyed by layer name.

Rules return their fixes as data (`Rule.autofix` -> `lint.fix.Fix`), which
`apply` adds to a plan; `fuse_model` adds its replacements directly;
`_clone.rebuild` applies the plan. Importing this module loads no ML
framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..lint import fix as edits
from .change import Change

# Weights of a layer (a list of numpy arrays) -> the weights of its clone.
WeightTransform = Callable[[list[Any]], list[Any]]
# A factory of a brand-new Keras layer.
LayerFactory = Callable[[], Any]
# An item called before / after a layer: an original layer's name (its clone
# is moved there) or a factory of a brand-new layer.
Item = str | LayerFactory


@dataclass
class RewritePlan:
    """Edits to apply while cloning a model, keyed by original layer name.

    Attributes:
        skip: layers whose call is skipped (their input passes through).
        before / after: items called just before / after a layer.
        config: settings overriding a layer's config in its clone.
        weights: transforms of a layer's weights into its clone's.
        replace: factories of layers replacing a layer's clone.
        new_weights: weights set on a layer's clone or replacement.
        changes: what the plan does, for the user.
        touched: layers a rewrite of this round already claimed.
        origins: new layer name -> the original layer it was split from.
    """

    skip: set[str] = field(default_factory=set)
    before: dict[str, list[Item]] = field(default_factory=dict)
    after: dict[str, list[Item]] = field(default_factory=dict)
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, WeightTransform] = field(default_factory=dict)
    replace: dict[str, LayerFactory] = field(default_factory=dict)
    new_weights: dict[str, list[Any]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    origins: dict[str, str] = field(default_factory=dict)

    def claim(self, names: Iterable[str]) -> bool:
        """Reserves layers for one rewrite per round; False if already taken."""
        names = set(names)
        if self.touched & names:
            return False
        self.touched |= names
        return True

    def move_after(self, name: str, target: str) -> None:
        """Skips layer `name` where it is and calls it right after `target`."""
        self.skip.add(name)
        self.after.setdefault(target, []).append(name)

    def move_before(self, name: str, target: str) -> None:
        """Skips layer `name` where it is and calls it right before `target`."""
        self.skip.add(name)
        self.before.setdefault(target, []).append(name)

    def split_activation(self, model: Any, name: str) -> LayerFactory:
        """Makes the `activation=` of weight layer `name` linear; returns a
        factory of the activation layer that replaces it."""
        import keras

        activation = model.get_layer(name).get_config()["activation"]
        self.config.setdefault(name, {})["activation"] = "linear"
        new_name = f"{name}_activation"
        self.origins[new_name] = name
        return lambda: keras.layers.Activation(activation, name=new_name)

    def apply(self, code: str, fix: edits.Fix, model: Any) -> None:
        """Adds the edits of rule `code`'s `fix` of `model`, in order, and
        records the change, exact unless the fix changes predictions."""
        for edit in fix.edits:
            if isinstance(edit, edits.Skip):
                self.skip.add(edit.layer)
            elif isinstance(edit, edits.MoveAfter):
                self.move_after(edit.layer, edit.target)
            elif isinstance(edit, edits.MoveBefore):
                self.move_before(edit.layer, edit.target)
            elif isinstance(edit, edits.InsertAfter):
                self.after.setdefault(edit.target, []).append(_factory(edit.new))
            elif isinstance(edit, edits.InsertBefore):
                self.before.setdefault(edit.target, []).append(_factory(edit.new))
            elif isinstance(edit, edits.SplitActivation):
                new_activation = self.split_activation(model, edit.layer)
                self.after.setdefault(edit.after, []).append(new_activation)
            elif isinstance(edit, edits.SetConfig):
                self.config.setdefault(edit.layer, {}).update(edit.values)
            elif isinstance(edit, edits.Replace):
                self.replace[edit.layer] = _factory(edit.new)
            elif isinstance(edit, edits.NewWeights):
                self.new_weights[edit.layer] = list(edit.weights)
            else:
                raise TypeError(f"{code}: unknown edit {edit!r}")
        self.record(code, fix.description, fix.layers, exact=fix.exact)

    def record(
        self,
        code: str,
        description: str,
        layers: Iterable[str],
        *,
        exact: bool = True,
    ) -> None:
        """Notes an applied change answering rule `code`; `exact=False` when
        it changes what the trained model computes at inference."""
        self.changes.append(Change(code, True, description, tuple(layers), exact))


def _factory(new: edits.NewLayer) -> LayerFactory:
    return lambda: new.layer_class(**new.config)
