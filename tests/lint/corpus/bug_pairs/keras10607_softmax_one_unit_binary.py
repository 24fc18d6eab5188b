"""One softmax unit for a binary stock-trend classifier: it predicts 0.

The report: 34 technical indicators, binary up / down labels (1, 0), a
Dense(512, relu) -> Dense(200, relu) -> Dense(200, relu) -> Dense(128,
relu) -> Dense(1, softmax) MLP compiled with binary cross-entropy and
RMSprop; `predict_proba` returns the same value for every row. The
answer: the activation for a binary classifier's last layer is sigmoid.
Transcribed as in the report (`input_dim=34` as a Keras 3 Input); the fix
uses sigmoid for the single unit.
"""

SOURCE = "https://github.com/keras-team/keras/issues/10607"
RULE = "KO201"


def _build(activation: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((34,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(200, activation="relu"),
            keras.layers.Dense(200, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(1, activation=activation),
        ]
    )
    model.compile(
        optimizer="rmsprop", loss="binary_crossentropy", metrics=["binary_accuracy"]
    )
    return model


def build_buggy():
    return _build("softmax")


def build_fixed():
    return _build("sigmoid")
