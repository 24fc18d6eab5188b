"""Inception-v4 (Keras): the paper's keep probability 0.8 used as the rate.

The bug: the Inception-v4 paper keeps 80% of the units before the
classifier, but the Keras implementation passes 0.8 to `Dropout`, which
drops 80%. Transcribed: the classifier head (global average pooling ->
Dropout -> Dense softmax over 1001 classes) on a small convolutional trunk;
the fix uses `Dropout(0.2)`.
"""

SOURCE = "https://github.com/titu1994/Inception-v4/issues/5"
RULE = "KO113"


def _build(rate: float):
    import keras

    model = keras.Sequential(
        [
            keras.Input((35, 35, 384)),
            keras.layers.Conv2D(96, 1, activation="relu", name="conv"),
            keras.layers.GlobalAveragePooling2D(name="avg_pool"),
            keras.layers.Dropout(rate, name="dropout"),
            keras.layers.Dense(1001, activation="softmax", name="predictions"),
        ],
        name="inception_v4_head",
    )
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(rate=0.8)


def build_fixed():
    return _build(rate=0.2)
