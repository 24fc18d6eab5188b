"""Nothing opaque that need not be (issue 22 item 6, issue 23): keras.ops
activations and constant arithmetic on KerasTensors, Rescaling, and a Lambda
traced on the live path. Each case is built from a real model of the corpus."""

from __future__ import annotations

from collections import Counter

import keras
import pytest

from keras_ordering import lint_file, lint_model
from keras_ordering.graph import identity, kinds
from keras_ordering.graph.from_keras import graph_from_model
from tests.lint.corpus.real_models import (
    kerasio_deeplabv3_plus,
    sdml_bert_cls_lambda_head,
    tf_image_classification_augmented,
    tf_transfer_learning_fine_tune,
)

ON_TENSORFLOW = keras.backend.backend() == "tensorflow"


def _findings(report) -> Counter:
    return Counter((f.code, f.severity, f.layers) for f in report)


def _file_reports(model, tmp_path) -> dict:
    reports = {}
    for suffix in ("keras", "h5"):
        path = tmp_path / f"model.{suffix}"
        model.save(path)
        reports[suffix] = lint_file(path)
    path = tmp_path / "model.json"
    path.write_text(model.to_json())
    reports["json"] = lint_file(path)
    return reports


def _deeplab_head(then_batch_norm: bool = False) -> keras.Model:
    """keras-io DeepLabV3+'s pyramid pooling head (its ReLUs are
    `ops.nn.relu` calls) on a small feature map."""
    features = keras.Input((8, 8, 16))
    x = kerasio_deeplabv3_plus.dilated_spatial_pyramid_pooling(features)
    if then_batch_norm:
        x = keras.layers.BatchNormalization(name="after_relu")(x)
    return keras.Model(features, x)


def test_ops_nn_relu_on_a_keras_tensor_is_an_activation(tmp_path):
    model = _deeplab_head()
    graph = graph_from_model(model)
    relus = [n for n in graph.nodes if n.layer_class == "Relu"]
    assert len(relus) == 6  # One per convolution_block.
    assert {(n.kind, n.attrs["activation"]) for n in relus} == {
        (kinds.ACTIVATION, "relu")
    }
    live = lint_model(model)
    assert live.opaque_layers == ()
    for face, report in _file_reports(model, tmp_path).items():
        assert report.opaque_layers == (), face
        assert _findings(report) == _findings(live), face


def test_rules_see_an_ops_nn_relu(tmp_path):
    model = _deeplab_head(then_batch_norm=True)
    live = lint_model(model)
    [ko102] = [f.layers for f in live if f.code == "KO102"]
    assert ko102[0].startswith("relu") and ko102[-1] == "after_relu"
    for face, report in _file_reports(model, tmp_path).items():
        assert _findings(report) == _findings(live), face


@pytest.mark.parametrize("application", ["mobilenet_v2", "resnet50", "inception_v3"])
def test_preprocess_input_on_a_keras_tensor_is_transparent(application, tmp_path):
    # The guide's flow: preprocess_input on the model input, then a network.
    inputs = keras.Input((8, 8, 3))
    preprocess = getattr(keras.applications, application).preprocess_input
    x = keras.layers.Conv2D(4, 3, name="conv")(preprocess(inputs))
    model = keras.Model(inputs, x)
    assert lint_model(model).opaque_layers == ()
    for face, report in _file_reports(model, tmp_path).items():
        assert report.opaque_layers == (), face


@pytest.mark.slow
def test_preprocess_input_arithmetic_is_not_a_blind_spot(tmp_path):
    # The TensorFlow transfer-learning tutorial: mobilenet_v2.preprocess_input
    # (x / 127.5 - 1) on the model input.
    model = tf_transfer_learning_fine_tune.build()
    report = lint_model(model)
    listed = {layer_class for _, layer_class, _ in report.opaque_layers}
    assert not listed & {"TrueDivide", "Subtract"}, report.opaque_layers
    assert "true_divide" not in str(report)
    arithmetic = [
        n
        for n in graph_from_model(model).nodes
        if n.layer_class in ("TrueDivide", "Subtract")
    ]
    assert len(arithmetic) == 2
    assert all(
        n.kind == kinds.SHAPE and n.attrs["elementwise_affine"] for n in arithmetic
    )
    path = tmp_path / "model.keras"
    model.save(path)
    from_file = lint_file(path)
    assert not {c for _, c, _ in from_file.opaque_layers} & {"TrueDivide", "Subtract"}


def test_arithmetic_of_two_tensors_stays_a_merge():
    inputs = keras.Input((4,))
    x = keras.layers.Dense(4, name="dense")(inputs)
    graph = graph_from_model(keras.Model(inputs, [x * x, x / (x + 1.0), -x]))
    by_class = {n.layer_class: n for n in graph.nodes}
    assert by_class["Multiply"].kind == kinds.MERGE  # x * x is no affine map.
    assert by_class["TrueDivide"].kind == kinds.MERGE
    assert by_class["Add"].attrs == {"elementwise_affine": True}
    assert by_class["Negative"].kind == kinds.SHAPE


def test_rescaling_is_an_affine_shape_node():
    # The TensorFlow image classification tutorial: Rescaling(1./255) after
    # data augmentation.
    model = tf_image_classification_augmented.build()
    report = lint_model(model)
    assert "Rescaling" not in {c for _, c, _ in report.opaque_layers}
    [node] = [n for n in graph_from_model(model).nodes if n.layer_class == "Rescaling"]
    assert node.kind == kinds.SHAPE and node.attrs == {"elementwise_affine": True}


def test_rules_pass_through_rescaling(tmp_path):
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.Dropout(0.3, name="drop")(x)
    x = keras.layers.Rescaling(2.0, name="scale")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, x)
    live = lint_model(model)
    assert ("KO101", ("drop", "scale", "bn")) in [(f.code, f.layers) for f in live]
    for face, report in _file_reports(model, tmp_path).items():
        assert _findings(report) == _findings(live), face


def test_a_linear_output_stays_linear_through_rescaling():
    # KO203 reads the output's range back through shape nodes: an affine map
    # of a linear output is still unbounded, so the finding stays.
    def model(rescale: bool) -> keras.Model:
        inputs = keras.Input((4,))
        x = keras.layers.Dense(1, name="out")(inputs)
        if rescale:
            x = keras.layers.Rescaling(0.5, offset=0.5, name="shift")(x)
        built = keras.Model(inputs, x)
        built.compile(loss="binary_crossentropy")
        return built

    assert lint_model(model(rescale=False)).codes() == ["KO203"]
    assert lint_model(model(rescale=True)).codes() == ["KO203"]


def test_a_slicing_lambda_is_traced_live_and_opaque_in_its_file(tmp_path):
    model = sdml_bert_cls_lambda_head.build()
    # Keras names the Lambda itself ("lambda", "lambda_6", ...): earlier tests
    # in the same process move the counter.
    [name] = [
        layer.name for layer in model.layers if isinstance(layer, keras.layers.Lambda)
    ]
    live = lint_model(model)
    if ON_TENSORFLOW:
        assert live.opaque_layers == ()
        [node] = [
            n for n in graph_from_model(model).nodes if n.path.startswith(f"{name}/")
        ]
        assert (node.kind, node.layer_class) == (kinds.SHAPE, "StridedSlice")
    else:
        assert live.opaque_layers == ((name, "Lambda", identity.LAMBDA_OFF_TENSORFLOW),)
    for face, report in _file_reports(model, tmp_path).items():
        if face == "h5":
            continue  # Keras cannot save a lambda to .h5.
        assert report.opaque_layers == ((name, "Lambda", identity.LAMBDA_IN_FILE),), (
            face
        )
        assert _findings(report) == _findings(live), face


@pytest.mark.skipif(not ON_TENSORFLOW, reason="a Lambda is traced on TensorFlow")
def test_a_traced_lambda_shows_a_path_through_it():
    # The same [CLS] slice, with a Dropout in front: the slice passes it on.
    encoder_output = keras.Input((16, 32))
    x = keras.layers.Dropout(0.1, name="drop")(encoder_output)
    x = keras.layers.Lambda(lambda model: model[:, 0], name="cls")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    report = lint_model(keras.Model(encoder_output, x))
    [finding] = [f for f in report if f.code == "KO101"]
    assert finding.layers[0] == "drop" and finding.layers[-1] == "bn"
