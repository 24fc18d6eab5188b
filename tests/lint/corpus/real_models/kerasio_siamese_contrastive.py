# ruff: noqa: E501
"""Siamese network with contrastive loss: one embedding tower (BN -> Conv2D(tanh) -> AveragePooling2D ...) shared by two inputs, a Euclidean-distance Lambda, BN and a sigmoid unit.

Source: https://github.com/keras-team/keras-io/blob/12bad05fbf95911b2e994cde3c9340c13a5e76d0/examples/vision/siamese_contrastive.py (Apache-2.0).
Transcribed: unchanged layers and sizes (28x28x1 inputs, 4/16 filters,
Dense(10, tanh) embedding); the distance Lambda uses keras.ops instead of
tf.math; compiled with the source's contrastive loss (margin 1).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/12bad05fbf95911b2e994cde3c9340c13a5e76d0/examples/vision/siamese_contrastive.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "In the shared tower, Conv2D(activation='tanh') -> AveragePooling2D "
    "-> Flatten -> BN normalizes post-activation values: one finding for the one "
    "tower, however many times it is called (info).",
}


def euclidean_distance(vects):
    from keras import ops

    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, 1e-7))


def contrastive_loss(y_true, y_pred):
    from keras import ops

    margin = 1
    square_pred = ops.square(y_pred)
    margin_square = ops.square(ops.maximum(margin - y_pred, 0))
    return ops.mean((1 - y_true) * square_pred + y_true * margin_square)


def build():
    import keras
    from keras import layers

    input = layers.Input((28, 28, 1))
    x = layers.BatchNormalization()(input)
    x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)

    input_1 = layers.Input((28, 28, 1))
    input_2 = layers.Input((28, 28, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower_1, tower_2]
    )
    normal_layer = layers.BatchNormalization()(merge_layer)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    siamese.compile(loss=contrastive_loss, optimizer="RMSprop")
    return siamese
