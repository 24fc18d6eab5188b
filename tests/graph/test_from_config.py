"""Static lint of saved models equals the live lint of the same model."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest

from keras_ordering import lint_file, lint_model
from keras_ordering.graph.from_config import graph_from_config
from keras_ordering.graph.from_keras import graph_from_model
from keras_ordering.graph.model_files import read_model_file
from keras_ordering.lint.registry import all_rules
from tests.conftest import APPLICATION_SIZES

KERAS2 = Path(__file__).resolve().parents[1] / "data" / "keras2"


def _findings(report) -> list[tuple]:
    return [(f.code, f.layers, f.severity, f.message) for f in report]


def assert_static_equals_live(model: keras.Model, path: Path) -> None:
    config, loss = read_model_file(path)
    assert graph_from_config(config, loss).canonical() == (
        graph_from_model(model).canonical()
    )
    assert _findings(lint_file(path, select="ALL")) == _findings(
        lint_model(model, select="ALL")
    )


INVALID_EXAMPLES = [
    pytest.param(rule, index, id=f"{rule.code}-{index}")
    for rule in all_rules()
    # Data-aware and live-only rules read what a saved config does not hold.
    if not (rule.needs_data or rule.live_only)
    for index in range(len(rule.INVALID))
]


@pytest.mark.parametrize(("rule", "index"), INVALID_EXAMPLES)
def test_invalid_examples_saved_as_keras_files(rule, index, tmp_path):
    model = rule.INVALID[index].build()
    path = tmp_path / "model.keras"
    model.save(path)
    assert_static_equals_live(model, path)
    assert rule.code in [f.code for f in lint_file(path, select="ALL")]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(APPLICATION_SIZES))
def test_keras_applications_saved_as_keras_files(name, keras_application, tmp_path):
    model = keras_application(name)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    assert_static_equals_live(model, path)


def test_keras3_h5_and_json_files(tmp_path):
    model = all_rules()[0].INVALID[1].build()
    h5 = tmp_path / "model.h5"
    model.save(h5)
    assert_static_equals_live(model, h5)
    json_path = tmp_path / "model.json"
    json_path.write_text(model.to_json())
    assert_static_equals_live(model, json_path)


def keras3_twin_of_keras2_functional() -> keras.Model:
    """The architecture of tests/data/keras2/k2_functional, in Keras 3."""
    image = keras.Input((8, 8, 3), name="image")
    side_a = keras.Input((4,), name="side_a")
    side_b = keras.Input((4,), name="side_b")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(image)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Dropout(0.3, name="drop")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    shared = keras.layers.Dense(4, name="shared")
    x = keras.layers.Concatenate(name="concat")([x, shared(side_a), shared(side_b)])
    head = keras.Sequential(
        [
            keras.layers.Dense(8, name="head_dense"),
            keras.layers.Dropout(0.5, name="head_drop"),
            keras.layers.BatchNormalization(name="head_bn"),
            keras.layers.LeakyReLU(negative_slope=0.1, name="head_leaky"),
        ],
        name="head",
    )
    x = head(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model([image, side_a, side_b], outputs, name="k2_functional")
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def keras3_twin_of_keras2_sequential() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((16,), name="seq_input"),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Activation("sigmoid", name="sig"),
            keras.layers.Dense(1, activation="softmax", name="out"),
        ],
        name="k2_sequential",
    )


@pytest.mark.parametrize("suffix", [".h5", ".json"])
@pytest.mark.parametrize(
    ("stem", "twin", "expected"),
    [
        (
            "k2_functional",
            keras3_twin_of_keras2_functional,
            {"KO101", "KO102", "KO104", "KO202"},
        ),
        (
            "k2_sequential",
            keras3_twin_of_keras2_sequential,
            {"KO101", "KO102", "KO201"},
        ),
    ],
)
def test_keras2_files_match_the_keras3_twin(stem, twin, expected, suffix):
    path = KERAS2 / f"{stem}{suffix}"
    static = lint_file(path)
    live = lint_model(twin())
    if suffix == ".json":  # A to_json() file has no compile config: no loss.
        live = [f for f in live if f.code != "KO202"]
        expected = expected - {"KO202"}
    assert _findings(static) == _findings(live)
    assert {f.code for f in static} == expected
    # Shared layer calls and the nested Sequential are seen in the file too.
    graph = graph_from_config(*read_model_file(path))
    assert [n.path for n in graph.nodes].count("shared") == (
        2 if stem == "k2_functional" else 0
    )


def test_graph_features_survive_a_save(tmp_path):
    """Nested models, shared layers, wrappers and BNActDropout, saved."""
    from keras_ordering import BNActDropout

    inner_functional_input = keras.Input((6,), name="inner_in")
    inner_functional = keras.Model(
        inner_functional_input,
        keras.layers.Dropout(0.2, name="inner_drop")(inner_functional_input),
        name="inner_functional",
    )
    inner_sequential = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(6, use_bias=False, name="inner_dense"),
            BNActDropout("gelu", 0.1, name="inner_fused"),
        ],
        name="inner_sequential",
    )
    left, right = keras.Input((6,), name="left"), keras.Input((6,), name="right")
    shared = keras.layers.Dense(6, name="shared")
    x = keras.layers.Add(name="add")([shared(left), shared(right)])
    x = inner_functional(x)
    x = inner_sequential(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Reshape((3, 2), name="reshape")(x)
    x = keras.layers.TimeDistributed(
        keras.layers.Dropout(0.3, name="td_drop"), name="td"
    )(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(2, name="lstm"), name="bi")(x)
    outputs = keras.layers.Dense(1, activation="softmax", name="out")(x)
    model = keras.Model([left, right], outputs, name="features")
    path = tmp_path / "features.keras"
    model.save(path)
    assert_static_equals_live(model, path)
    codes = {f.code for f in lint_file(path)}
    assert {"KO101", "KO102", "KO201"} <= codes


def test_h5_files_without_h5py_get_a_clear_error(monkeypatch):
    import sys

    from keras_ordering.graph.model_files import ModelFileError

    monkeypatch.setitem(sys.modules, "h5py", None)  # As if not installed.
    with pytest.raises(ModelFileError, match=r"needs h5py: pip install"):
        read_model_file(KERAS2 / "k2_sequential.h5")


# --- Malformed configs and scale --------------------------------------------------


def _sequential(*layers) -> dict:
    return {"class_name": "Sequential", "config": {"name": "m", "layers": list(layers)}}


def _functional_with_history(history) -> dict:
    tensor = {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 4], "keras_history": history},
    }
    return {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "input_layers": [["in", 0, 0]],
            "output_layers": [["d", 0, 0]],
            "layers": [
                {"class_name": "InputLayer", "name": "in", "config": {"name": "in"}},
                {
                    "class_name": "Dense",
                    "name": "d",
                    "config": {"name": "d", "units": 2},
                    "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
                },
            ],
        },
    }


def _cycle_without_input() -> dict:
    """Two Dense layers reading each other, one named as the input: no
    InputLayer, so the graph has no real input."""

    def dense(name: str, reads: str) -> dict:
        tensor = {
            "class_name": "__keras_tensor__",
            "config": {"keras_history": [reads, 0, 0]},
        }
        return {
            "class_name": "Dense",
            "name": name,
            "config": {"name": name, "units": 2},
            "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
        }

    return {
        "class_name": "Functional",
        "config": {
            "name": "c",
            "layers": [dense("a", "b"), dense("b", "a")],
            "input_layers": [["a", 0, 0]],
            "output_layers": [["b", 0, 0]],
        },
    }


def _nested_sequentials(depth: int) -> dict:
    config = _sequential({"class_name": "Dense", "config": {"units": 1}})
    for _ in range(depth):
        config = _sequential(config)
    return config


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"class_name": "Functional", "config": {"layers": [1]}}, "layer 0 of model"),
        (_sequential(1), "is a int, not a layer config"),
        (
            _sequential({"class_name": "Dropout", "config": {"rate": 10**400}}),
            "layer 'Dropout': rate = 1000000000000000000",
        ),
        (_functional_with_history(["in", float("inf"), 0]), "inf is not an integer"),
        (_functional_with_history(["in", "0", 0]), "'0' is not a number"),
        (_functional_with_history(["in", 10**20, 0]), "is out of range"),
        (_functional_with_history(["nowhere", 0, 0]), "unresolved inputs: ['d']"),
        (
            _sequential({"class_name": "Dense", "config": [], "build_config": 3}),
            "malformed model config (AttributeError",
        ),
        (_nested_sequentials(5_000), "nested too deeply"),
        ([], "is a list, not an object"),
        (_cycle_without_input(), "input 'a' is a Dense, not an InputLayer"),
    ],
)
def test_malformed_configs_are_one_line_value_errors(config, expected):
    with pytest.raises(ValueError) as caught:
        graph_from_config(config)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and len(message) < 300


def test_the_subclass_message_names_constructor_arguments_and_load():
    config = {"class_name": "ResNetBackbone", "config": {"stackwise_num_filters": [8]}}
    with pytest.raises(ValueError) as caught:
        graph_from_config(config)
    message = str(caught.value)
    assert "Functional subclass" in message and "constructor arguments" in message
    assert "--load" in message
    assert "subclassed model live" not in message


def test_any_listing_order_gives_the_same_graph_in_linear_work(monkeypatch):
    from benchmarks.bench_static_lint import chain_config
    from keras_ordering.graph import from_config

    reads = []
    original = from_config._tensor_refs
    monkeypatch.setattr(
        from_config,
        "_tensor_refs",
        lambda node: reads.append(1) or original(node),
    )
    size = 400
    listed = graph_from_config(chain_config(size, "listed")).canonical()
    for order in ("reverse", "shuffled"):
        reads.clear()
        assert graph_from_config(chain_config(size, order)).canonical() == listed
        # Each layer call's inputs are read once, not once per pass.
        assert len(reads) == size, order


@pytest.mark.parametrize("outputs", ["list", "dict"])
def test_a_model_built_on_a_dict_of_inputs_reads_from_its_file(outputs, tmp_path):
    """Keras 3 saves `input_layers` (and `output_layers`) of such a model
    as a dict; the keys are deliberately not in sorted order."""
    b = keras.Input((3,), name="b")
    a = keras.Input((5,), name="a")
    hidden = keras.layers.Concatenate()([a, b])
    hidden = keras.layers.Dense(8)(hidden)
    hidden = keras.layers.Dropout(0.3)(hidden)
    hidden = keras.layers.BatchNormalization()(hidden)
    cls = keras.layers.Dense(4, activation="softmax", name="cls")(hidden)
    reg = keras.layers.Dense(1, name="reg")(hidden)
    heads = {"reg": reg, "cls": cls} if outputs == "dict" else [cls, reg]
    model = keras.Model({"b": b, "a": a}, heads)
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / "dict_inputs.keras"
    model.save(path)
    assert_static_equals_live(model, path)
    assert "KO101" in lint_file(path).codes()
