"""Dropout at prediction time with `Dropout(0.5)(x, training=True)`.

The bug: the issue asks for dropout in the predict phase (Monte-Carlo
dropout); the suggested answer, `x = Dropout(0.5)(x, training=True)` in a
functional model, is overridden by `predict` in Keras 3 (a direct
`model(x)` call keeps it). Transcribed: a regression MLP with that dropout
after each hidden layer; the fix uses dropout layers that ignore the flag,
like the thread's `AlwaysTrain` wrapper.
"""

from ._monte_carlo_dropout import monte_carlo_dropout

SOURCE = "https://github.com/keras-team/keras/issues/9412"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    inputs = keras.Input((8,), name="features")
    x = inputs
    for index in (1, 2):
        x = keras.layers.Dense(64, activation="relu", name=f"hidden{index}")(x)
        name = f"dropout{index}"
        if fixed:
            x = monte_carlo_dropout(0.5, name)(x)
        else:
            x = keras.layers.Dropout(0.5, name=name)(x, training=True)
    outputs = keras.layers.Dense(1, name="value")(x)
    model = keras.Model(inputs, outputs, name="mc_regressor")
    model.compile(loss="mse")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
