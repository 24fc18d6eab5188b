# ruff: noqa: E501
"""keras-io "Timeseries anomaly detection using an Autoencoder": a Conv1D / Conv1DTranspose reconstruction autoencoder with Dropout after the first relu of the encoder and of the decoder, and a linear output under MSE.

Source: https://github.com/keras-team/keras-io/blob/3aca0563e5cebb3e442bee3f7c30adc53cfe3102/examples/timeseries/timeseries_anomaly_detection.py (Apache-2.0).
Transcribed: unchanged; the input is the source's x_train shape (288 time
steps x 1 feature), compiled with Adam(0.001) and "mse" as in the source.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/3aca0563e5cebb3e442bee3f7c30adc53cfe3102/examples/timeseries/timeseries_anomaly_detection.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: each Dropout follows a relu (they commute) and feeds a
# weight layer, and the output is a linear Conv1DTranspose under MSE.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            layers.Input(shape=(288, 1)),
            layers.Conv1D(
                filters=32, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Dropout(rate=0.2),
            layers.Conv1D(
                filters=16, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Conv1DTranspose(
                filters=16, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Dropout(rate=0.2),
            layers.Conv1DTranspose(
                filters=32, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return model
