"""A BatchNormalization subclass that forces `training=True` when not frozen.

The report: keras-resnet's `BatchNormalization(freeze=False)` called the
parent with `training=(not self.freeze)`, so an unfrozen BN "was always
forced to be in training mode, providing wrong validation results"; the fix
forces `training=False` only when frozen and passes the flag on otherwise.
Transcribed: that subclass (its `freeze` argument, `trainable = not
freeze`) in a ResNet-style block on 32x32x3 images: Conv2D -> BN -> ReLU,
a residual Conv2D -> BN, Add, ReLU, global pooling, Dense(10, softmax),
categorical cross-entropy, 32 standardized images at batch 32.
"""

SOURCE = "https://github.com/broadinstitute/keras-resnet/pull/47"
RULE = "KO305"


def _batch_normalization(fixed: bool):
    import keras

    class ResNetBatchNormalization(keras.layers.BatchNormalization):
        def __init__(self, freeze, *args, **kwargs):
            self.freeze = freeze
            super().__init__(*args, **kwargs)
            self.trainable = not self.freeze

        def call(self, inputs, training=None):
            if fixed:
                if self.freeze:
                    training = False
            else:
                training = not self.freeze
            return super().call(inputs, training=training)

    return ResNetBatchNormalization


def _build(fixed: bool):
    import keras
    import numpy as np

    BatchNormalization = _batch_normalization(fixed)  # noqa: N806 (the source's name)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = BatchNormalization(freeze=False, axis=3, name="bn_conv1")(x)
    x = keras.layers.Activation("relu")(x)
    y = keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(x)
    y = BatchNormalization(freeze=False, axis=3, name="bn2a_branch2a")(y)
    x = keras.layers.Add()([x, y])
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 32, 32, 3)).astype("float32")
    y = keras.utils.to_categorical(np.arange(32) % 10, 10)
    return model, x, y, 32


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
