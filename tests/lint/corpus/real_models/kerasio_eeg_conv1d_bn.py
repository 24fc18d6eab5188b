# ruff: noqa: E501
"""keras-io "Electroencephalogram Signal Classification for action identification": six strided Conv1D(relu) -> BatchNormalization stages on a 512-sample signal, then Dropout, Flatten and a deep Dense(relu) -> Dropout head.

Source: https://github.com/keras-team/keras-io/blob/84fd8510598699fadc3183139053e54afcdf3993/examples/timeseries/eeg_signal_classification.py (Apache-2.0).
Transcribed: `create_model()` unchanged; `num_classes` comes from the data
set at run time in the source, 10 here. Compiled with Adam(amsgrad=True,
0.001) and CategoricalCrossentropy() as in the source, metrics left out.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/84fd8510598699fadc3183139053e54afcdf3993/examples/timeseries/eeg_signal_classification.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 6}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each of the six BNs normalizes the output of a "
    "Conv1D(activation='relu') instead of its pre-activations (info).",
}


def build():
    import keras
    from keras import layers

    num_classes = 10
    input_layer = keras.Input(shape=(512, 1))

    x = layers.Conv1D(
        filters=32, kernel_size=3, strides=2, activation="relu", padding="same"
    )(input_layer)
    x = layers.BatchNormalization()(x)

    x = layers.Conv1D(
        filters=64, kernel_size=3, strides=2, activation="relu", padding="same"
    )(x)
    x = layers.BatchNormalization()(x)

    x = layers.Conv1D(
        filters=128, kernel_size=5, strides=2, activation="relu", padding="same"
    )(x)
    x = layers.BatchNormalization()(x)

    x = layers.Conv1D(
        filters=256, kernel_size=5, strides=2, activation="relu", padding="same"
    )(x)
    x = layers.BatchNormalization()(x)

    x = layers.Conv1D(
        filters=512, kernel_size=7, strides=2, activation="relu", padding="same"
    )(x)
    x = layers.BatchNormalization()(x)

    x = layers.Conv1D(
        filters=1024, kernel_size=7, strides=2, activation="relu", padding="same"
    )(x)
    x = layers.BatchNormalization()(x)

    x = layers.Dropout(0.2)(x)

    x = layers.Flatten()(x)

    x = layers.Dense(4096, activation="relu")(x)
    x = layers.Dropout(0.2)(x)

    x = layers.Dense(
        2048, activation="relu", kernel_regularizer=keras.regularizers.L2()
    )(x)
    x = layers.Dropout(0.2)(x)

    x = layers.Dense(
        1024, activation="relu", kernel_regularizer=keras.regularizers.L2()
    )(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(
        128, activation="relu", kernel_regularizer=keras.regularizers.L2()
    )(x)
    output_layer = layers.Dense(num_classes, activation="softmax")(x)

    model = keras.Model(inputs=input_layer, outputs=output_layer)
    model.compile(
        optimizer=keras.optimizers.Adam(amsgrad=True, learning_rate=0.001),
        loss=keras.losses.CategoricalCrossentropy(),
    )
    return model
