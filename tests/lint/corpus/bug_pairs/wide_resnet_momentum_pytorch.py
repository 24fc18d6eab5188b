"""Wide-Residual-Networks (Keras): BN momentum written in PyTorch's convention.

The bug: the Keras WRN sets its BatchNormalization momentum to 0.1, PyTorch's
default; by the Keras definition it should be 0.9. Transcribed: a WRN
stem and one wide basic block (BN -> ReLU -> Conv -> BN -> ReLU -> Conv,
1x1 projection shortcut, Add) with `momentum=0.1, epsilon=1e-5`, sizes
illustrative; the fix uses `momentum=0.9`.
"""

SOURCE = "https://github.com/titu1994/Wide-Residual-Networks/issues/21"
RULE = "KO112"


def _build(momentum: float):
    import keras

    def bn(name):
        return keras.layers.BatchNormalization(
            momentum=momentum, epsilon=1e-5, gamma_initializer="uniform", name=name
        )

    inputs = keras.Input((32, 32, 3), name="image")
    x = keras.layers.Conv2D(16, 3, padding="same", name="stem_conv")(inputs)
    x = bn("stem_bn")(x)
    x = keras.layers.Activation("relu", name="stem_relu")(x)
    shortcut = keras.layers.Conv2D(64, 1, padding="same", name="shortcut")(x)
    x = keras.layers.Conv2D(64, 3, padding="same", name="conv1")(x)
    x = bn("bn1")(x)
    x = keras.layers.Activation("relu", name="relu1")(x)
    x = keras.layers.Conv2D(64, 3, padding="same", name="conv2")(x)
    x = keras.layers.Add(name="add")([x, shortcut])
    x = bn("bn_out")(x)
    x = keras.layers.Activation("relu", name="relu_out")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="probs")(x)
    model = keras.Model(inputs, outputs, name="wrn_block")
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(momentum=0.1)


def build_fixed():
    return _build(momentum=0.9)
