"""One sigmoid unit trained with categorical cross-entropy: "too low accuracy".

The bug: a breast-cancer classifier ends in `Dense(1, activation="sigmoid")`
but is compiled with `loss=keras.losses.categorical_crossentropy`: one unit
normalized to sum to 1 is always 1, so the loss is always 0 and the model
does not learn. Transcribed as in the report: Dense(16, relu) -> Dropout(0.1)
-> Dense(16, relu) -> Dropout(0.1) -> Dense(1, sigmoid) on 30 features; the
fix compiles with binary cross-entropy.
"""

SOURCE = "https://github.com/keras-team/keras/issues/14729"
RULE = "KO203"


def _build(loss: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((30,)),
            keras.layers.Dense(16, activation="relu", name="dense_1"),
            keras.layers.Dropout(0.1, name="dropout_1"),
            keras.layers.Dense(16, activation="relu", name="dense_2"),
            keras.layers.Dropout(0.1, name="dropout_2"),
            keras.layers.Dense(1, activation="sigmoid", name="dense_3"),
        ]
    )
    model.compile(loss=loss, optimizer="adam")
    return model


def build_buggy():
    return _build("categorical_crossentropy")


def build_fixed():
    return _build("binary_crossentropy")
