"""MNIST pairs standardized per pixel: the always-black border pixels turn NaN.

The report: Keras' `mnist_siamese_graph.py` (a shared Dense(128, relu) ->
Dropout(0.1) -> Dense(128, relu) -> Dropout(0.1) -> Dense(128, relu)
network on two flattened 784-pixel inputs, their Euclidean distance, the
contrastive loss, RMSprop) trained batch by batch gives a NaN loss; the
reporter then finds that "the loss becomes NaN if I preprocess the data
using zero-mean unit variance. Dividing by the std() produces the error."
Per pixel, MNIST's border pixels are 0 in every image: their std is 0 and
0 / 0 is NaN. Transcribed as a two-input functional model with random
28x28 digits whose 4-pixel border is black, standardized per pixel; the
fix keeps the mean subtraction and drops the division by the std (the
reporter's comment is cut off after "Subtract").
"""

SOURCE = "https://github.com/keras-team/keras/issues/2001"
RULE = "KO307"


def _build(divide_by_std: bool):
    import keras
    import numpy as np
    from keras import layers, ops

    def create_base_network(input_dim):
        return keras.Sequential(
            [
                keras.Input((input_dim,)),
                layers.Dense(128, activation="relu"),
                layers.Dropout(0.1),
                layers.Dense(128, activation="relu"),
                layers.Dropout(0.1),
                layers.Dense(128, activation="relu"),
            ]
        )

    def euclidean_distance(vects):
        x, y = vects
        return ops.sqrt(ops.sum(ops.square(x - y), axis=1, keepdims=True))

    def contrastive_loss(y_true, y_pred):
        margin = 1
        return ops.mean(
            y_true * ops.square(y_pred)
            + (1 - y_true) * ops.square(ops.maximum(margin - y_pred, 0))
        )

    base_network = create_base_network(784)
    input_a = keras.Input((784,), name="input_a")
    input_b = keras.Input((784,), name="input_b")
    distance = layers.Lambda(euclidean_distance, output_shape=(1,))(
        [base_network(input_a), base_network(input_b)]
    )
    model = keras.Model([input_a, input_b], distance)
    model.compile(loss=contrastive_loss, optimizer=keras.optimizers.RMSprop())

    rng = np.random.default_rng(0)
    images = np.zeros((512, 28, 28), dtype="float32")
    images[:, 4:24, 4:24] = rng.random((512, 20, 20))
    images = images.reshape(512, 784)
    mean = images.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        images = (
            (images - mean) / images.std(axis=0) if divide_by_std else images - mean
        )
    pairs = images.reshape(256, 2, 784)
    x = [pairs[:, 0], pairs[:, 1]]
    y = (np.arange(256) % 2).astype("float32")
    return model, x, y, 128


def build_buggy():
    return _build(divide_by_std=True)


def build_fixed():
    return _build(divide_by_std=False)
