# ruff: noqa: E501
"""3D image classification from CT scans: Conv3D(relu) -> MaxPool3D -> BatchNormalization blocks, Dense -> Dropout, sigmoid unit.

Source: https://github.com/keras-team/keras-io/blob/0766e7be5fbe02ab55c4f0cd4e6d433bf6c44b61/examples/vision/3D_image_classification.py (Apache-2.0).
Transcribed: `get_model` with input 48x48x48x1 instead of 128x128x64x1 and
filters divided by 4 (4/8/16/32, Dense 64); layer order and settings as in
the source (binary cross-entropy).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0766e7be5fbe02ab55c4f0cd4e6d433bf6c44b61/examples/vision/3D_image_classification.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 4, "KO104": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each of the 4 blocks is Conv3D(relu) -> MaxPool3D -> BN: the BN "
    "normalizes rectified values instead of pre-activations (info).",
    "KO104": "Each Conv3D(activation='relu') feeds only a MaxPool3D: pooling first "
    "gives the same output with relu on 8x fewer values (info).",
}


def build():
    import keras
    from keras import layers

    inputs = keras.Input((48, 48, 48, 1))
    x = inputs
    for filters in (4, 8, 16, 32):
        x = layers.Conv3D(filters=filters, kernel_size=3, activation="relu")(x)
        x = layers.MaxPool3D(pool_size=2)(x)
        x = layers.BatchNormalization()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(units=64, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(units=1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="3dcnn")
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model
