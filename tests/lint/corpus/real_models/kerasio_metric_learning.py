# ruff: noqa: E501
"""keras-io "Metric learning for image similarity search" (Keras 3 version): three strided Conv2D(relu) layers, GlobalAveragePooling2D, a linear Dense(8) embedding and UnitNormalization, trained on anchor / positive pairs whose dot products are the logits of a sparse categorical cross-entropy.

Source: https://github.com/keras-team/keras-io/blob/master/examples/vision/metric_learning.py (Apache-2.0).
Transcribed: the embedding network unchanged (32x32x3 CIFAR-10 images,
filters 32 / 64 / 128, kernel 3, strides 2, Dense(units=8, activation=None),
`layers.UnitNormalization()`), compiled as in the source with
Adam(learning_rate=1e-3) and SparseCategoricalCrossentropy(from_logits=True).
The source wraps the graph in an `EmbeddingModel(keras.Model)` whose only
change is `train_step` (it embeds anchors and positives and scores their
pairwise similarities / 0.2 against `arange(num_classes)`); the graph is
built here as a plain `keras.Model`, which the linter reads the same way.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/master/examples/vision/metric_learning.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report: no BN and no dropout; the output is a unit-normalized
# embedding, not probabilities, and the loss is declared from_logits=True
# (it is applied to similarities in train_step), so there is no
# activation / loss mismatch.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    height_width = 32

    inputs = layers.Input(shape=(height_width, height_width, 3))
    x = layers.Conv2D(filters=32, kernel_size=3, strides=2, activation="relu")(inputs)
    x = layers.Conv2D(filters=64, kernel_size=3, strides=2, activation="relu")(x)
    x = layers.Conv2D(filters=128, kernel_size=3, strides=2, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    embeddings = layers.Dense(units=8, activation=None)(x)
    embeddings = layers.UnitNormalization()(embeddings)

    model = keras.Model(inputs, embeddings)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
