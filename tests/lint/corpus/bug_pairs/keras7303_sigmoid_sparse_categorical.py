"""A 3570-class head with sigmoid, trained with sparse categorical cross-entropy.

The bug: a classifier over 3570 labels ends in `Dense(3570,
activation="sigmoid")` and is compiled with
`loss="sparse_categorical_crossentropy"`; the report is about the target
shape, but the head itself is wrong for the loss: the categorical loss
rescales independent sigmoids to sum to 1 as if they were a softmax.
Transcribed as in the report (79 features, Dense(1024, relu) -> Dense(2048,
relu) -> Dense(3570, sigmoid), rmsprop, accuracy) with smaller hidden
layers; the fix uses softmax, one label per sample.
"""

SOURCE = "https://github.com/keras-team/keras/issues/7303"
RULE = "KO203"


def _build(activation: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((79,)),
            keras.layers.Dense(64, activation="relu", name="dense_1"),
            keras.layers.Dense(128, activation="relu", name="dense_2"),
            keras.layers.Dense(3570, activation=activation, name="dense_3"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer="rmsprop",
        metrics=["accuracy"],
    )
    return model


def build_buggy():
    return _build("sigmoid")


def build_fixed():
    return _build("softmax")
