"""Keras' CIFAR-10 example with BatchNormalization, trained at batch size 1.

The report: BatchNormalization layers added to `cifar10_cnn.py` and
`batch_size = 1`: training loss converges, but the trained model is useless
for prediction (validation accuracy 0.54 on the training data itself, 1.0
with batch size 32). With one sample per batch BN's batch statistics are
that sample's own, and its moving statistics never match inference.
Transcribed: Conv2D(32) -> relu -> Conv2D(32) -> BN -> relu -> MaxPool ->
Dropout -> Conv2D(64) -> BN -> relu -> Conv2D(64) -> relu -> MaxPool ->
Dropout -> Dense(512) -> Dropout -> Dense(10, softmax) on 32x32x3 images
in [0, 1] with one-hot labels, RMSprop(1e-4); the fix trains at batch 32.
"""

SOURCE = "https://github.com/keras-team/keras/issues/8837"
RULE = "KO303"


def _build(batch_size: int):
    import keras
    import numpy as np
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, padding="same"),
            layers.Activation("relu"),
            layers.Conv2D(32, 3),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Conv2D(64, 3, padding="same"),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Conv2D(64, 3),
            layers.Activation("relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(512),
            layers.Activation("relu"),
            layers.Dropout(0.5),
            layers.Dense(10),
            layers.Activation("softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 256, size=(64, 32, 32, 3)) / 255.0).astype("float32")
    y = keras.utils.to_categorical(np.arange(64) % 10, 10)
    return model, x, y, batch_size


def build_buggy():
    return _build(1)


def build_fixed():
    return _build(32)
