"""CIFAR-10 (10 classes) with a softmax head trained on binary cross-entropy.

The bug: the model predicts one of 10 CIFAR-10 classes with a softmax, but
is compiled with `binary_crossentropy` and `metrics=["acc"]`; the report
points out that "acc" then resolves to binary accuracy, which reports
"wrong (too high) numbers", and asks why binary cross-entropy is used at
all. From 3 units, binary cross-entropy is another loss than categorical
cross-entropy (each unit scored as an independent yes/no), unlike the
2-unit case. Transcribed: a small Conv2D -> MaxPooling -> Dense(10,
softmax) classifier on 32x32x3 inputs with the reported loss and metric;
the fix compiles it with categorical cross-entropy.
"""

SOURCE = "https://github.com/frlim/data2040_final/issues/1"
RULE = "KO203"


def _build(loss: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, activation="softmax", name="predictions"),
        ]
    )
    model.compile(loss=loss, optimizer="adam", metrics=["acc"])
    return model


def build_buggy():
    return _build("binary_crossentropy")


def build_fixed():
    return _build("categorical_crossentropy")
