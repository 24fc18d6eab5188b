"""The transfer-learning tutorial's linear head with `binary_crossentropy`.

The bug: the tutorial's classification head is a `Dense(1)` with no
activation ("this prediction will be treated as a logit"), but the model is
compiled with `loss="binary_crossentropy"`, whose `from_logits=False`
expects a probability. The reply's workaround is `from_logits=True`.
Transcribed: a small convolutional base standing in for MobileNetV2, global
average pooling and the `Dense(1)` head; the fix compiles
`BinaryCrossentropy(from_logits=True)`.
"""

SOURCE = "https://github.com/tensorflow/tensorflow/issues/28718"
RULE = "KO203"


def _build(from_logits: bool):
    import keras

    model = keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            keras.layers.Conv2D(16, 3, strides=2, activation="relu", name="base"),
            keras.layers.GlobalAveragePooling2D(name="global_average_pooling2d"),
            keras.layers.Dense(1, name="prediction"),
        ]
    )
    if from_logits:
        model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))
    else:
        model.compile(loss="binary_crossentropy")
    return model


def build_buggy():
    return _build(from_logits=False)


def build_fixed():
    return _build(from_logits=True)
