"""Freezing a BatchNormalization with `BatchNormalization()(x, training=False)`.

The bug: asked how to freeze BN (its moving statistics still changed with
`trainable=False` in Keras 2.0), the answer was to call the layer with
`training=False` in the functional API. In Keras 3 the reverse holds: `fit`
overrides `training=False` and the moving statistics change, while
`trainable=False` keeps BN in inference mode. Transcribed: a conv block
whose BN is called with `training=False`, and a classifier head; the fix
sets `trainable=False` on that BN.
"""

SOURCE = "https://github.com/keras-team/keras/issues/4762"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(32, 3, use_bias=False, name="conv")(inputs)
    batch_norm = keras.layers.BatchNormalization(name="bn")
    batch_norm.trainable = not fixed
    x = batch_norm(x, training=False)
    x = keras.layers.Activation("relu", name="relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="probs")(x)
    model = keras.Model(inputs, outputs, name="frozen_bn")
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
