"""The dropout recurrent and attention layers draw themselves (`dropout=`,
`recurrent_dropout=`): modelled in the taxonomy, live and from file alike."""

from __future__ import annotations

import keras
import pytest

from keras_ordering import lint_file, lint_model
from keras_ordering.graph import kinds
from keras_ordering.graph.expand import expand


def test_recurrent_input_dropout_is_a_noise_part_before_the_weights():
    parts = expand("LSTM", {"units": 4, "dropout": 0.2, "recurrent_dropout": 0.1})
    assert [(kind, part) for kind, part, _ in parts] == [
        (kinds.NOISE, "input-dropout"),
        (kinds.WEIGHT, None),
    ]
    assert parts[0][2] == {
        "noise": "shared",
        "rate": 0.2,
        "dropout_of": "inputs",
        "recurrent_rate": 0.1,
    }
    assert "internal_dropout" not in parts[1][2]


@pytest.mark.parametrize(
    ("layer_class", "attrs", "internal"),
    [
        ("GRU", {"recurrent_dropout": 0.3}, "recurrent"),
        ("ConvLSTM2D", {"filters": 4, "recurrent_dropout": 0.3}, "recurrent"),
        ("MultiHeadAttention", {"dropout": 0.3}, "attention"),
        ("Attention", {"dropout": 0.3}, "attention"),
    ],
)
def test_internal_dropout_is_a_fact_of_the_weight_node(layer_class, attrs, internal):
    ((kind, part, weight_attrs),) = expand(layer_class, attrs)
    assert (kind, part) == (kinds.WEIGHT, None)
    assert weight_attrs["internal_dropout"] == internal
    assert weight_attrs["rate"] == 0.3


def test_no_dropout_adds_nothing():
    for layer_class in ("LSTM", "MultiHeadAttention"):
        ((kind, _, weight_attrs),) = expand(layer_class, {"dropout": 0.0})
        assert kind == kinds.WEIGHT and "internal_dropout" not in weight_attrs


def _sequence_model() -> keras.Model:
    inputs = keras.Input((6, 8), name="tokens")
    x = keras.layers.Dropout(0.2, name="drop")(inputs)
    x = keras.layers.LSTM(8, dropout=0.2, return_sequences=True, name="lstm")(x)
    x = keras.layers.BatchNormalization(name="bn_lstm")(x)
    x = keras.layers.MultiHeadAttention(2, 4, dropout=0.1, name="mha")(x, x)
    x = keras.layers.BatchNormalization(name="bn_mha")(x)
    x = keras.layers.Bidirectional(
        # Named: an unnamed GRU's name (and so 'forward_<name>') depends on
        # how many GRUs the process built before.
        keras.layers.GRU(4, recurrent_dropout=0.2, return_sequences=True, name="gru"),
        name="bi",
    )(x)
    x = keras.layers.BatchNormalization(name="bn_gru")(x)
    # Internal dropout at the output is not dropout on the predictions.
    outputs = keras.layers.SimpleRNN(3, recurrent_dropout=0.3, name="last")(x)
    return keras.Model(inputs, outputs)


def _findings(report) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.code, f.layers) for f in report)


def test_layer_dropout_findings_live_and_from_file(tmp_path):
    model = _sequence_model()
    live = lint_model(model, extend_select=["KO120"])
    assert _findings(live) == [
        # A dropout on the LSTM's inputs, then the LSTM's own input dropout.
        ("KO108", ("drop", "lstm")),
        ("KO120", ("bi/forward_gru", "bn_gru")),
        # Of the two stacked dropouts only the one nearest the BN is reported
        # here; the stack itself is the KO108 finding above.
        ("KO120", ("lstm", "bn_lstm")),
        ("KO120", ("mha", "bn_mha")),
    ]
    path = tmp_path / "sequence.keras"
    model.save(path)
    assert _findings(lint_file(path, extend_select=["KO120"])) == _findings(live)
