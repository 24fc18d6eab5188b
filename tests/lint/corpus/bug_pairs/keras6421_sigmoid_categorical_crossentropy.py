"""Two sigmoid outputs trained with categorical cross-entropy.

The bug: the model ends in `Dense(2, activation='sigmoid')` and is compiled
with `loss='categorical_crossentropy'`; training reports a tiny loss and
100% accuracy, yet `predict` is wrong, and the answer points at the loss.
Transcribed as in the report: Dense(40, relu) -> Dense(31, relu) ->
Dense(2, sigmoid) on 31 features; the fix uses softmax for the two
mutually exclusive classes.
"""

SOURCE = "https://github.com/keras-team/keras/issues/6421"
RULE = "KO203"


def _build(activation: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((31,)),
            keras.layers.Dense(40, activation="relu", name="dense_1"),
            keras.layers.Dense(31, activation="relu", name="dense_2"),
            keras.layers.Dense(2, activation=activation, name="dense_3"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build("sigmoid")


def build_fixed():
    return _build("softmax")
