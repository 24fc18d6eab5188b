"""One sigmoid unit trained with categorical cross-entropy.

The report: a binary LSTM classifier reaches 26% accuracy with
categorical cross-entropy and 98% with binary cross-entropy; with one output
unit it "is predicting only class 0". The answer: categorical cross-entropy
on one unit is `-y log p`, minimized by p = 1 whatever the input.
Transcribed: LSTM(256, recurrent_activation="hard_sigmoid") over (5, 10)
sequences -> Dense(1, sigmoid), compiled with categorical cross-entropy; the
fix is the question's binary cross-entropy version.
"""

SOURCE = "https://stats.stackexchange.com/questions/565956"
RULE = "KO203"


def _build(loss: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((5, 10)),
            keras.layers.LSTM(256, recurrent_activation="hard_sigmoid", name="lstm"),
            keras.layers.Dense(1, activation="sigmoid", name="label"),
        ]
    )
    model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
    return model


def build_buggy():
    return _build("categorical_crossentropy")


def build_fixed():
    return _build("binary_crossentropy")
