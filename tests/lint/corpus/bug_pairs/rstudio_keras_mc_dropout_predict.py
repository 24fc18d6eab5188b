"""R keras: Monte-Carlo dropout by calling dropout layers with `training=TRUE`.

The bug: to get dropout at prediction time, the answer builds a functional
model calling `layer_dropout(rate = 0.4)` and `layer_dropout(rate = 0.3)`
with `training = TRUE`. In Keras 3 `predict` replaces that flag, so the
predictions are deterministic and the uncertainty collapses. Transcribed:
the answer's network (Dense 256 relu -> Dropout 0.4 -> Dense 128 relu ->
Dropout 0.3 -> Dense 10 softmax on 784 inputs); the fix uses dropout layers
that stay on whatever flag Keras passes.
"""

from ._monte_carlo_dropout import monte_carlo_dropout

SOURCE = "https://github.com/rstudio/keras3/issues/358"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    def dropout(x, rate, name):
        if fixed:
            return monte_carlo_dropout(rate, name)(x)
        return keras.layers.Dropout(rate, name=name)(x, training=True)

    inputs = keras.Input((784,), name="input")
    x = keras.layers.Dense(256, activation="relu", name="dense_1")(inputs)
    x = dropout(x, 0.4, "dropout_1")
    x = keras.layers.Dense(128, activation="relu", name="dense_2")(x)
    x = dropout(x, 0.3, "dropout_2")
    outputs = keras.layers.Dense(10, activation="softmax", name="probs")(x)
    model = keras.Model(inputs, outputs, name="mc_dropout_mlp")
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
