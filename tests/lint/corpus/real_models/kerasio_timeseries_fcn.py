# ruff: noqa: E501
"""Timeseries classification from scratch: the fully convolutional network of Wang et al. (three Conv1D -> BN -> ReLU blocks, global average pooling).

Source: https://github.com/keras-team/keras-io/blob/02cfaa2fc681064105deb460bde3a5f5e4e0e817/examples/timeseries/timeseries_classification_from_scratch.py (Apache-2.0).
Transcribed: `make_model(input_shape=(500, 1))` for the FordA data (2
classes), filters 16 instead of 64; layer order and settings as in the source.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/02cfaa2fc681064105deb460bde3a5f5e4e0e817/examples/timeseries/timeseries_classification_from_scratch.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the three Conv1D keeps use_bias=True and feeds only a BN, "
    "which cancels the bias (info).",
}


def build():
    import keras

    input_layer = keras.layers.Input((500, 1))
    conv1 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    conv3 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)
    gap = keras.layers.GlobalAveragePooling1D()(conv3)
    output_layer = keras.layers.Dense(2, activation="softmax")(gap)
    model = keras.models.Model(inputs=input_layer, outputs=output_layer)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
