"""The TensorFlow CNN tutorial with a softmax added under a from_logits loss.

The bug: tensorflow/docs#1627 adds `activation="softmax"` to the last
`Dense(10)` of the CIFAR-10 CNN tutorial, which is compiled with
`SparseCategoricalCrossentropy(from_logits=True)`; the reviewer answers
that "the output layer is in logits and the softmax activation is not
required" (closed, not merged). The loss applies its own softmax to the
probabilities: a softmax of values in [0, 1] is nearly uniform, so the
gradients shrink and training crawls.
Transcribed as in the tutorial (three Conv2D + ReLU with max pooling,
Dense(64, relu), Dense(10); Adam, accuracy) on 32 x 32 x 3 inputs; the
buggy head is the PR's, the fix the tutorial's logits.
"""

SOURCE = "https://github.com/tensorflow/docs/pull/1627"
RULE = "KO202"


def _build(softmax: bool):
    import keras

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(32, 3, activation="relu", name="conv_1"),
            keras.layers.MaxPooling2D(name="pool_1"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv_2"),
            keras.layers.MaxPooling2D(name="pool_2"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv_3"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(64, activation="relu", name="dense"),
            keras.layers.Dense(
                10, activation="softmax" if softmax else None, name="head"
            ),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def build_buggy():
    return _build(softmax=True)


def build_fixed():
    return _build(softmax=False)
