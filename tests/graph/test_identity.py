"""Layer identity from Keras' registration (`graph.identity`): this package's
layers in every file format, subclasses of known classes, and foreign
classes that only share a known name."""

from __future__ import annotations

from collections import Counter

import keras
import pytest

import keras_ordering
from keras_ordering import lint_file, lint_model
from keras_ordering.graph import identity, kinds
from keras_ordering.graph.expand import expand
from keras_ordering.graph.from_config import graph_from_config
from keras_ordering.graph.from_keras import graph_from_model
from keras_ordering.layers import LAYERS


def _findings(report) -> Counter:
    return Counter((f.code, f.severity, f.layers) for f in report)


def _reports(model, tmp_path) -> dict:
    """The model's report live and from each file format."""
    reports = {"live": lint_model(model)}
    for suffix in ("keras", "h5"):
        path = tmp_path / f"model.{suffix}"
        model.save(path)
        reports[suffix] = lint_file(path)
    path = tmp_path / "model.json"
    path.write_text(model.to_json())
    reports["json"] = lint_file(path)
    return reports


def _bn_act_dropout() -> keras.Model:
    inputs = keras.Input((8,))
    x = keras.layers.Dense(4, name="dense")(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    x = keras_ordering.BNActDropout("relu", 0.2, name="block")(x)
    return keras.Model(inputs, x)


def _monte_carlo_dropout() -> keras.Model:
    # Monte-Carlo dropout is transparent for KO101: the path reaches the BN.
    inputs = keras.Input((8,))
    x = keras.layers.Dense(4, name="dense")(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    x = keras_ordering.MonteCarloDropout(0.2, name="mc")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    return keras.Model(inputs, x)


PUBLIC_LAYER_MODELS = {
    "BNActDropout": (_bn_act_dropout, ("drop", "block")),
    "MonteCarloDropout": (_monte_carlo_dropout, ("drop", "mc", "bn")),
}


def test_every_public_layer_has_a_parity_case():
    assert set(PUBLIC_LAYER_MODELS) == set(LAYERS)


@pytest.mark.parametrize("name", sorted(PUBLIC_LAYER_MODELS))
def test_public_layers_give_the_same_findings_in_every_format(name, tmp_path):
    build, layers = PUBLIC_LAYER_MODELS[name]
    reports = _reports(build(), tmp_path)
    for face, report in reports.items():
        assert ("KO101", layers) in [(f.code, f.layers) for f in report], face
        assert report.opaque_layers == (), face
        assert _findings(report) == _findings(reports["live"]), face


def test_keras3_h5_names_this_package_by_registered_name(tmp_path):
    model = _bn_act_dropout()
    path = tmp_path / "model.h5"
    model.save(path)
    import json

    import h5py

    with h5py.File(path) as file:
        config = json.loads(file.attrs["model_config"])
    names = [layer["class_name"] for layer in config["config"]["layers"]]
    assert "keras_ordering>BNActDropout" in names  # What the reader must know.
    kinds_seen = [n.kind for n in graph_from_config(config).nodes]
    assert kinds.BATCH_NORM in kinds_seen and kinds.UNKNOWN not in kinds_seen


class MyBatchNorm(keras.layers.BatchNormalization):
    """A user's BN subclass: a BN for the rules."""

    def __init__(self, *args, note: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.note = note

    def get_config(self):
        return {**super().get_config(), "note": self.note}


def _dropout_then(layer) -> keras.Model:
    inputs = keras.Input((8,))
    x = keras.layers.Dense(4, name="dense")(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    return keras.Model(inputs, layer(x))


def test_a_batch_norm_subclass_is_a_batch_norm_live_and_in_files(tmp_path):
    reports = _reports(_dropout_then(MyBatchNorm(name="my_bn")), tmp_path)
    for face, report in reports.items():
        ko101 = [f for f in report if f.code == "KO101"]
        assert [f.layers for f in ko101] == [("drop", "my_bn")], face
        assert "MyBatchNorm 'my_bn'" in ko101[0].message, face
        assert report.opaque_layers == (), face
    node = graph_from_model(_dropout_then(MyBatchNorm(name="bn"))).nodes[-2]
    assert (node.kind, node.layer_class) == (kinds.BATCH_NORM, "BatchNormalization")
    assert node.class_name == "MyBatchNorm"


class BNActDropout(keras.layers.Layer):
    """A user's own layer that happens to share the fused layer's name."""

    def __init__(self, rate: float = 0.2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        return inputs * 2.0

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class RegisteredBNActDropout(BNActDropout):
    """The same, registered by its package as `user_package>BNActDropout`."""


RegisteredBNActDropout.__name__ = "BNActDropout"
keras.saving.register_keras_serializable(package="user_package")(RegisteredBNActDropout)


@pytest.mark.parametrize("foreign", [BNActDropout, RegisteredBNActDropout])
def test_a_foreign_class_named_like_ours_is_opaque_with_a_reason(foreign, tmp_path):
    reports = _reports(_dropout_then(foreign(name="theirs")), tmp_path)
    for face, report in reports.items():
        assert report.codes() == [], face  # Not taken for a BN.
        [(path, layer_class, reason)] = report.opaque_layers
        assert (path, layer_class) == ("theirs", "BNActDropout"), face
        assert "not this package's BNActDropout" in reason, face
    h5_reason = reports["h5"].opaque_layers[0][2]
    if foreign is RegisteredBNActDropout:
        assert "registered as 'user_package>BNActDropout'" in h5_reason


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ({"class_name": "Dense", "module": "keras.layers"}, ("Dense", {})),
        ({"class_name": "Dense"}, ("Dense", {})),  # Keras 2 and .h5: bare.
        ({"class_name": "keras_ordering>BNActDropout"}, ("BNActDropout", {})),
        (
            {
                "class_name": "MonteCarloDropout",
                "module": "keras_ordering.layers.monte_carlo_dropout",
                "registered_name": "keras_ordering>MonteCarloDropout",
            },
            ("MonteCarloDropout", {}),
        ),
        (
            {"class_name": "Relu", "module": "keras.src.ops.nn"},
            ("Relu", {"operation": True}),
        ),
        ({"class_name": "TrueDivide"}, ("TrueDivide", {"operation": True})),
        ({"class_name": "MyLayer", "module": "__main__"}, ("MyLayer", {})),
    ],
)
def test_identity_of_config(layer, expected):
    assert identity.identity_of_config(layer) == expected


@pytest.mark.parametrize(
    "layer",
    [
        {"class_name": "BNActDropout"},  # Ours is always saved with its package.
        {"class_name": "BNActDropout", "module": "mine", "registered_name": "X"},
        {"class_name": "user>BNActDropout"},
        {"class_name": "Dense", "module": "my_layers", "registered_name": "Dense"},
        {"class_name": "my>Conv2D"},
    ],
)
def test_a_known_name_from_elsewhere_is_opaque(layer):
    name, found = identity.identity_of_config(layer)
    assert name == layer["class_name"].rpartition(">")[2]
    assert "opaque_reason" in found
    assert expand(name, found)[0][0] == kinds.UNKNOWN


def test_identity_of_class_walks_up_to_the_nearest_known_class():
    class Deeper(MyBatchNorm):
        pass

    assert identity.identity_of_class(Deeper) == (
        "BatchNormalization",
        {"subclass": "Deeper"},
    )
    assert identity.identity_of_class(keras.layers.Dense) == ("Dense", {})
    assert identity.identity_of_class(keras_ordering.BNActDropout) == (
        "BNActDropout",
        {},
    )
    name, found = identity.identity_of_class(BNActDropout)
    assert name == "BNActDropout" and "not this package's" in found["opaque_reason"]
    assert identity.known_class(BNActDropout) is None


def test_known_class_of_a_live_layer_and_what_a_subclass_redefines():
    import keras

    class Plain(keras.layers.BatchNormalization):
        pass

    class OwnCall(Plain):
        def call(self, inputs, training=None, mask=None):
            return super().call(inputs, training=training, mask=mask)

    def call(self, inputs):
        return inputs

    foreign = type(
        "BatchNormalization",
        (keras.layers.Layer,),
        {"call": call, "__module__": __name__},
    )
    assert identity.known_class_of(Plain()) == "BatchNormalization"
    assert identity.known_class_of(foreign()) is None
    assert identity.redefined(Plain, ("call", "build")) == []
    assert identity.redefined(OwnCall, ("call", "build")) == ["call"]
    assert identity.redefined(keras.layers.BatchNormalization, ("call",)) == []
    assert identity.redefined(foreign, ("call", "build")) == ["call", "build"]
