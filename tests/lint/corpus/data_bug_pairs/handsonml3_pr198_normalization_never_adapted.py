"""A Normalization layer used without `adapt()` (Hands-On ML 3, chapter 10).

The report: in chapter 10's `MyClassificationHyperModel.fit()`, the
`Normalization` layer is applied without calling `.adapt()`, "which makes
the normalization ineffective"; the fix adds `norm_layer.adapt(X)`.
Transcribed with the chapter's classifier on Fashion MNIST: Flatten, two
Dense(relu) hidden layers, Dense(10, softmax), sparse categorical
cross-entropy; the Normalization goes in front of the model (the notebook
applies it to X before fit). Data: 28x28 images in [0, 1], labels 0-9.
"""

SOURCE = "https://github.com/ageron/handson-ml3/pull/198"
RULE = "KO304"


def _build(adapt: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(64, 28, 28)).astype("float32")
    y = np.arange(64) % 10
    norm_layer = keras.layers.Normalization(name="normalization")
    if adapt:
        norm_layer.adapt(x)
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            norm_layer,
            keras.layers.Flatten(),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model, x, y, 32


def build_buggy():
    return _build(adapt=False)


def build_fixed():
    return _build(adapt=True)
