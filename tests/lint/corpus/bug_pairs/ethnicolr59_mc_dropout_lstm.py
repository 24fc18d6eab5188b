"""Monte-Carlo dropout in a character LSTM with `Dropout(p)(x, training=True)`.

The report asks why ethnicolr's prediction code builds its dropout with
`training=True`; the answer is Monte-Carlo dropout, "Dropout(p)(input_tensor,
training=True)", sampled with `model.predict`. In Keras 3 `predict` replaces
the hard-coded flag, so the samples are identical and the uncertainty
estimate collapses. Transcribed: names as integer sequences (length 20, a
60-symbol alphabet) -> Embedding(32) -> LSTM(64, return_sequences) ->
Dropout(0.2, training=True) -> LSTM(64) -> Dropout(0.2, training=True) ->
Dense(13, softmax) over the race / ethnicity categories, sparse categorical
cross-entropy; the fix uses a dropout that stays on whatever flag Keras
passes.
"""

from ._monte_carlo_dropout import monte_carlo_dropout

SOURCE = "https://github.com/appeler/ethnicolr/issues/59"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    inputs = keras.Input((20,), dtype="int32", name="name_chars")
    x = keras.layers.Embedding(60, 32, name="embedding")(inputs)
    x = keras.layers.LSTM(64, return_sequences=True, name="lstm1")(x)
    for index in (1, 2):
        name = f"dropout{index}"
        if fixed:
            x = monte_carlo_dropout(0.2, name)(x)
        else:
            x = keras.layers.Dropout(0.2, name=name)(x, training=True)
        if index == 1:
            x = keras.layers.LSTM(64, name="lstm2")(x)
    outputs = keras.layers.Dense(13, activation="softmax", name="race")(x)
    model = keras.Model(inputs, outputs, name="ethnicolr_lstm")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
