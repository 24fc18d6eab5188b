# ruff: noqa: E501
"""keras-io "Few-Shot learning with Reptile": four Conv2D(64, 3, strides=2) -> BatchNormalization -> ReLU blocks on 28x28x1 Omniglot characters, Flatten -> Dense(classes, softmax).

Source: https://github.com/keras-team/keras-io/blob/19644b3bc7dadb61f401afed4daaa4f46ea67d97/examples/vision/reptile.py (Apache-2.0).
Transcribed: `conv_bn()` and the functional model as in the source
(classes = 5). The source calls `model.compile()` with no loss and trains
in its own GradientTape loop with sparse categorical cross-entropy on the
softmax output; compiled here the same way, with no loss.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/19644b3bc7dadb61f401afed4daaa4f46ea67d97/examples/vision/reptile.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The order is the textbook one (conv -> BN -> relu); only the conv biases,
# cancelled by the BNs, are worth a note.
EXPECTED: dict[str, int] = {"KO106": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the four Conv2D layers keeps use_bias=True and feeds only "
    "a BatchNormalization, which cancels the bias (info).",
}


def build():
    import keras
    from keras import layers

    classes = 5

    def conv_bn(x):
        x = layers.Conv2D(filters=64, kernel_size=3, strides=2, padding="same")(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x)

    inputs = layers.Input(shape=(28, 28, 1))
    x = conv_bn(inputs)
    x = conv_bn(x)
    x = conv_bn(x)
    x = conv_bn(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile()
    return model
