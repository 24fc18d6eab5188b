"""Hands-On ML's batch-norm MLP puts one BN after its activation.

The report: the chapter 11 notebook's "BN before the activation" model
has Dense(100, use_bias=False) -> Activation("relu") -> BatchNormalization
in its second block, against the book's text (p. 343), which adds the BN
layers before the activation; the author merged the swap ("good catch").
Transcribed as in the notebook: Flatten (28, 28) -> BN -> Dense(300,
use_bias=False) -> BN -> ReLU -> Dense(100, use_bias=False) -> ReLU -> BN ->
Dense(10, softmax) under sparse categorical cross-entropy; the fix is the
merged order, BN -> ReLU in both blocks.
"""

SOURCE = "https://github.com/ageron/handson-ml2/pull/77"
RULE = "KO102"


def _build(fixed: bool):
    import keras
    from keras import layers

    second_block = (
        [layers.BatchNormalization(name="bn3"), layers.Activation("relu", name="relu2")]
        if fixed
        else [
            layers.Activation("relu", name="relu2"),
            layers.BatchNormalization(name="bn3"),
        ]
    )
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            layers.Flatten(name="flatten"),
            layers.BatchNormalization(name="bn1"),
            layers.Dense(300, use_bias=False, name="dense1"),
            layers.BatchNormalization(name="bn2"),
            layers.Activation("relu", name="relu1"),
            layers.Dense(100, use_bias=False, name="dense2"),
            *second_block,
            layers.Dense(10, activation="softmax", name="output"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
