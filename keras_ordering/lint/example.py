"""`Example`: a small model, written as data, that a rule's docs and tests use.

Rules stay free of keras imports: their VALID and INVALID examples are layer
lists that `Example.build()` turns into a Keras model on demand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LayerSpec = tuple[str, Mapping[str, Any]]
# (class name, constructor arguments including "name", names of its inputs),
# optionally followed by call arguments such as {"training": True}.
NodeSpec = (
    tuple[str, Mapping[str, Any], Sequence[str]]
    | tuple[str, Mapping[str, Any], Sequence[str], Mapping[str, Any]]
)


@dataclass(frozen=True)
class Example:
    """A model described as data.

    Either `layers` (a Sequential stack) or `nodes` (a Functional graph whose
    inputs are named in `inputs` and outputs in `outputs`).

    Attributes:
        input_shape: shape of the single input of a Sequential example.
        layers: `(class name, kwargs)` pairs, in order.
        inputs: for Functional examples, input name -> shape.
        nodes: for Functional examples, `(class name, kwargs, input names)`.
        outputs: for Functional examples, names of the output layers.
        loss: optional `(loss class name, kwargs)` to compile with.
        expect: for INVALID examples, the layers one finding must name.
        title: a short description for the docs.
        fixable: for INVALID examples of rules `fix_model` rewrites, whether
            this one is within its reach (False: e.g. a path through a merge).
    """

    input_shape: tuple[int, ...] = ()
    layers: Sequence[LayerSpec] = ()
    inputs: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    nodes: Sequence[NodeSpec] = ()
    outputs: Sequence[str] = ()
    loss: tuple[str, Mapping[str, Any]] | None = None
    expect: tuple[str, ...] = ()
    title: str = ""
    fixable: bool = True

    def build(self) -> Any:
        """The Keras model this example describes (imports keras)."""
        import keras

        if self.layers:
            model = keras.Sequential(
                [keras.Input(self.input_shape)]
                + [_layer(name, kwargs) for name, kwargs in self.layers]
            )
        else:
            tensors = {
                name: keras.Input(shape, name=name)
                for name, shape in self.inputs.items()
            }
            for class_name, kwargs, input_names, *call in self.nodes:
                arguments = [tensors[name] for name in input_names]
                layer = _layer(class_name, kwargs)
                tensors[kwargs["name"]] = layer(
                    arguments if len(arguments) > 1 else arguments[0],
                    **(call[0] if call else {}),
                )
            model = keras.Model(
                [tensors[name] for name in self.inputs],
                [tensors[name] for name in self.outputs],
            )
        if self.loss is not None:
            loss_class, loss_kwargs = self.loss
            model.compile(loss=getattr(keras.losses, loss_class)(**loss_kwargs))
        return model

    def code(self) -> str:
        """The example as Keras code, for the rule docs."""
        if self.layers:
            lines = [f"model = keras.Sequential([keras.Input({self.input_shape}),"]
            lines += [f"    {_call(name, kwargs)}," for name, kwargs in self.layers]
            lines.append("])")
        else:
            lines = [
                f"{name} = keras.Input({shape})" for name, shape in self.inputs.items()
            ]
            for class_name, kwargs, input_names, *call in self.nodes:
                arguments = ", ".join(input_names)
                if len(input_names) > 1:
                    arguments = f"[{arguments}]"
                for key, value in (call[0] if call else {}).items():
                    arguments += f", {key}={value!r}"
                lines.append(
                    f"{kwargs['name']} = {_call(class_name, kwargs)}({arguments})"
                )
            lines.append(
                f"model = keras.Model([{', '.join(self.inputs)}], "
                f"[{', '.join(self.outputs)}])"
            )
        if self.loss is not None:
            loss_class, loss_kwargs = self.loss
            lines.append(
                f"model.compile(loss={_call(loss_class, loss_kwargs, 'keras.losses.')})"
            )
        return "\n".join(lines).replace("'", '"')


def _call(
    class_name: str, kwargs: Mapping[str, Any], module: str = "keras.layers."
) -> str:
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    prefix = "" if class_name == "BNActDropout" else module
    return f"{prefix}{class_name}({arguments})"


def _layer(class_name: str, kwargs: Mapping[str, Any]) -> Any:
    import keras

    if class_name == "BNActDropout":
        from ..layers.bn_act_dropout import BNActDropout

        return BNActDropout(**kwargs)
    return getattr(keras.layers, class_name)(**kwargs)
