# ruff: noqa: E501
"""keras-io "Pneumonia Classification on TPU": Rescaling, two Conv2D(relu) and a MaxPool2D, four blocks of two SeparableConv2D(relu) -> BatchNormalization -> MaxPool2D with Dropout after the last two, then three Dense(relu) -> BatchNormalization -> Dropout blocks and a sigmoid unit.

Source: https://github.com/keras-team/keras-io/blob/ef4cd453400aae442632ffdba260673ecc09500a/examples/vision/xray_classification_with_tpus.py (Apache-2.0).
Transcribed: `conv_block()`, `dense_block()` and `build_model()` unchanged
with the source's IMAGE_SIZE of [180, 180]; compiled with Adam and binary
cross-entropy as in the source (a constant learning rate instead of its
ExponentialDecay schedule, metrics left out, no TPU strategy).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/ef4cd453400aae442632ffdba260673ecc09500a/examples/vision/xray_classification_with_tpus.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 7, "KO104": 1, "KO113": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each conv block's BN follows a SeparableConv2D(activation='relu') "
    "and each dense block's BN a Dense(activation='relu'): 4 + 3 BNs "
    "normalize activations instead of pre-activations (info).",
    "KO104": "The stem's second Conv2D(activation='relu') feeds only a 2x2 "
    "MaxPool2D: pooling first gives the same output with relu on 4x fewer "
    "values (info).",
    "KO113": "Dropout(0.7) after the first dense block drops 70%; the source "
    "article chose it, but the rate reads like a TF1 keep_prob, which is "
    "worth a look (info).",
}


def build():
    import keras
    from keras import layers

    image_size = [180, 180]

    def conv_block(filters, inputs):
        x = layers.SeparableConv2D(filters, 3, activation="relu", padding="same")(
            inputs
        )
        x = layers.SeparableConv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.BatchNormalization()(x)
        outputs = layers.MaxPool2D()(x)

        return outputs

    def dense_block(units, dropout_rate, inputs):
        x = layers.Dense(units, activation="relu")(inputs)
        x = layers.BatchNormalization()(x)
        outputs = layers.Dropout(dropout_rate)(x)

        return outputs

    inputs = keras.Input(shape=(image_size[0], image_size[1], 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    x = layers.MaxPool2D()(x)

    x = conv_block(32, x)
    x = conv_block(64, x)

    x = conv_block(128, x)
    x = layers.Dropout(0.2)(x)

    x = conv_block(256, x)
    x = layers.Dropout(0.2)(x)

    x = layers.Flatten()(x)
    x = dense_block(512, 0.7, x)
    x = dense_block(128, 0.5, x)
    x = dense_block(64, 0.3, x)

    outputs = layers.Dense(1, activation="sigmoid")(x)

    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.015),
        loss="binary_crossentropy",
    )
    return model
