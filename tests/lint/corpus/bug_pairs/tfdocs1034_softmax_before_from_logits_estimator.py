"""A softmax head under a from_logits loss in TensorFlow's Estimator tutorial.

The report (a merged tensorflow/docs pull request): the multi-worker
Estimator tutorial's model ends in `Dense(10, activation='softmax')`, but
its `model_fn` computes `SparseCategoricalCrossentropy(from_logits=True)`
on that output; training did not converge because the loss took
probabilities for logits. The fix removes the softmax. Transcribed:
Conv2D(32, 3, relu) on 28x28x1 -> MaxPooling2D -> Flatten -> Dense(64,
relu) -> Dense(10), compiled (instead of an Estimator `model_fn`) with the
same loss and plain SGD at the tutorial's learning rate 1e-4.
"""

SOURCE = "https://github.com/tensorflow/docs/pull/1034"
RULE = "KO202"


def _build(activation):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation=activation),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=1e-4),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def build_buggy():
    return _build("softmax")


def build_fixed():
    return _build(None)
