"""Class indices up to 5 for 5 logits: NaN on GPU, no error.

The report: `tf.nn.sparse_softmax_cross_entropy_with_logits` given labels
outside [0, number of logits) raises on CPU but returns NaN on GPU, and
then every weight turns NaN. Its example: `classes = 5`, 100 points of 4
random features, `ys = np.random.randint(classes + 1, size=100)` (labels
0 to 5) under a linear layer of 5 logits. Transcribed as a Keras 3 model:
Dense(5) logits on 4 features with `SparseCategoricalCrossentropy(
from_logits=True)`; the fix draws the labels from `randint(classes)`.
"""

SOURCE = "https://github.com/tensorflow/tensorflow/issues/8484"
RULE = "KO301"


def _build(label_count: int):
    import keras
    import numpy as np

    classes = 5
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(classes)])
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer="sgd",
    )
    rng = np.random.default_rng(0)
    x = rng.random((100, 4)).astype("float32")
    y = rng.integers(0, label_count, size=100)
    return model, x, y, 100


def build_buggy():
    return _build(5 + 1)


def build_fixed():
    return _build(5)
