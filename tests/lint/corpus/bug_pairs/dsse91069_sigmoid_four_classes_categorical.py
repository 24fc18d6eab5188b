"""Four exclusive classes with a sigmoid head and categorical cross-entropy.

The report: a text classifier's predictions for 4 classes do not sum to 1
(`[0.92, 0.43, 0.70, 0.35]`); the answer is softmax. Transcribed: the
question's model, Embedding(vocab, 50, trainable=False) -> LSTM(128) ->
Dense(4, sigmoid), compiled with categorical cross-entropy and categorical
accuracy (a 500-word vocabulary, sequences of 30); the fix uses softmax.
"""

SOURCE = "https://datascience.stackexchange.com/questions/91069"
RULE = "KO203"


def _build(activation: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((30,), dtype="int32"),
            keras.layers.Embedding(500, 50, trainable=False, name="embedding"),
            keras.layers.LSTM(128, name="lstm"),
            keras.layers.Dense(4, activation=activation, name="classes"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer="adam",
        metrics=["categorical_accuracy"],
    )
    return model


def build_buggy():
    return _build("sigmoid")


def build_fixed():
    return _build("softmax")
