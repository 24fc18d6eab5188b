"""keras-team/keras #3687: "Predictions are all zero" from a ReLU regression output.

The bug: a many-to-many regression RNN ends in
`TimeDistributed(Dense(1, activation='relu'))` and is trained with mean
squared error; every prediction is 0. A ReLU output clips the predictions
at 0 and, once its pre-activation is negative, gets no gradient. Transcribed
as in the report, with Keras 3 names and smaller units: LSTM(64, relu,
return_sequences) -> LSTM(32, relu, return_sequences) ->
TimeDistributed(Dense(1, relu)) on 100 timesteps of 8 features, compiled
with MSE; the fix makes the output linear.
"""

SOURCE = "https://github.com/keras-team/keras/issues/3687"
RULE = "KO205"


def _build(output_activation):
    import keras

    model = keras.Sequential(
        [
            keras.Input((100, 8)),
            keras.layers.LSTM(
                64, activation="relu", return_sequences=True, name="lstm_1"
            ),
            keras.layers.LSTM(
                32, activation="relu", return_sequences=True, name="lstm_2"
            ),
            keras.layers.TimeDistributed(
                keras.layers.Dense(1, activation=output_activation, name="dense"),
                name="per_step",
            ),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer="sgd")
    return model


def build_buggy():
    return _build("relu")


def build_fixed():
    return _build(None)
