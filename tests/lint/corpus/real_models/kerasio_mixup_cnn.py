# ruff: noqa: E501
"""keras-io "MixUp augmentation for image classification", the shallow CNN: Conv2D(16, 5, relu) -> MaxPooling2D -> Conv2D(32, 5, relu) -> MaxPooling2D -> Dropout(0.2) -> GlobalAvgPool2D -> Dense(128, relu) -> Dense(10, softmax) on 28x28x1 Fashion-MNIST.

Source: https://github.com/keras-team/keras-io/blob/0a57de48c864d63b80083820e8988368ee5c3149/examples/vision/mixup.py (Apache-2.0).
Transcribed: `get_training_model()` as in the source (an Input instead of
`input_shape=`); compiled as in the source with categorical cross-entropy
(the mixed-up labels are soft one-hot rows) and adam.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0a57de48c864d63b80083820e8988368ee5c3149/examples/vision/mixup.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2, "KO105": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Both Conv2D(activation='relu') layers feed only a 2x2 "
    "MaxPooling2D: pooling first gives the same output with relu on 4x "
    "fewer values (info).",
    "KO105": "The elementwise Dropout(0.2) feeds GlobalAvgPool2D directly: the "
    "noise is averaged away over the whole map, so dropping after the pooling "
    "regularizes the same way at a fraction of the cost (info, average "
    "pooling).",
}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, (5, 5), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(32, (5, 5), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.2),
            layers.GlobalAvgPool2D(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    return model
