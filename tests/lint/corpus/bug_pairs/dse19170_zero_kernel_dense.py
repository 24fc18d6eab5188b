"""Data Science Stack Exchange 19170: why not set every initial weight to 0?

The report: a Keras beginner sets `kernel_initializer="random_uniform"` on
`Dense(12, input_dim=8)` and asks why not simply use `"zero"`, "which
sounds more natural for novices"; the accepted answer explains the
pitfall: with all weights equal every neuron computes the same output and
gets the same update, and with ReLU, He initialization is the one to use.
Transcribed: the question's Dense(12) on 8 features with ReLU, in the
8-feature binary classifier it comes from (Dense(12, relu) -> Dense(8,
relu) -> Dense(1, sigmoid), binary cross-entropy); the buggy model takes
the zero initializer, the fix the question's random_uniform.
"""

SOURCE = "https://datascience.stackexchange.com/questions/19170"
RULE = "KO117"


def _build(initializer: str):
    import keras

    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(
                12, activation="relu", kernel_initializer=initializer, name="dense"
            ),
            keras.layers.Dense(8, activation="relu", name="dense_1"),
            keras.layers.Dense(1, activation="sigmoid", name="dense_2"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build("zeros")


def build_fixed():
    return _build("random_uniform")
