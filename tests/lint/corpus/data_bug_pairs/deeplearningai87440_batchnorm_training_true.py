"""`training=True` hard-wired into the BatchNormalization of a ResNet block.

The report: `model.predict` gives different results depending on how it is
called; the cause is `BatchNormalization(axis=3)(X, training=True)`
hard-wired in the course's ResNet identity block, so inference normalizes
with the statistics of whatever batch it gets. Keras 3 Functional models
pass the flag of the outer call on to every layer, which hides a flag
written in the graph; the same block written as a layer whose `call` fixes
`training=True` (how the bug survives in Keras 3) is transcribed:
Conv2D(1x1) -> BN -> ReLU -> Conv2D(3x3, same) -> BN -> ReLU -> Conv2D(1x1)
-> BN, plus the shortcut, then ReLU, on 64x64x3 images (the course's SIGNS
data) with 6 softmax classes. The fix passes `training` through.
"""

SOURCE = (
    "https://community.deeplearning.ai/t/"
    "keras-predict-giving-different-results-depending-on-how-used/87440"
)
RULE = "KO305"
SLOW = True  # Seconds of training steps: runs with -m slow.


def _build(forced: bool):
    import keras
    import numpy as np

    class IdentityBlock(keras.layers.Layer):
        def __init__(self, filters=(4, 4, 3), **kwargs):
            super().__init__(**kwargs)
            f1, f2, f3 = filters
            self.conv1 = keras.layers.Conv2D(f1, 1)
            self.bn1 = keras.layers.BatchNormalization(axis=3)
            self.conv2 = keras.layers.Conv2D(f2, 3, padding="same")
            self.bn2 = keras.layers.BatchNormalization(axis=3)
            self.conv3 = keras.layers.Conv2D(f3, 1)
            self.bn3 = keras.layers.BatchNormalization(axis=3)

        def call(self, inputs, training=None):
            if forced:
                training = True  # The report's hard-wired flag.
            x = keras.ops.relu(self.bn1(self.conv1(inputs), training=training))
            x = keras.ops.relu(self.bn2(self.conv2(x), training=training))
            x = self.bn3(self.conv3(x), training=training)
            return keras.ops.relu(x + inputs)

    inputs = keras.Input((64, 64, 3))
    x = IdentityBlock(name="identity_block")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(6, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    x_data = rng.uniform(0, 1, size=(32, 64, 64, 3)).astype("float32")
    y = keras.utils.to_categorical(np.arange(32) % 6, 6)
    return model, x_data, y, 32


def build_buggy():
    return _build(forced=True)


def build_fixed():
    return _build(forced=False)
