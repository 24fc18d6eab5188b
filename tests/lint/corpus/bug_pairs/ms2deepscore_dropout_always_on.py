"""ms2deepscore: `dropout_always_on` through `Dropout(...)(x, training=True)`.

The bug: the pull request adds Monte-Carlo dropout to the Siamese model's
base network by calling each `Dropout(dropout_rate)` with `training=True`
after `Dense -> BatchNormalization`; Keras 3's `predict` replaces that
flag, so the Monte-Carlo predictions do not vary. Transcribed: the base
network's Dense(relu) -> BatchNormalization -> Dropout blocks and the
embedding layer, sizes illustrative; the fix uses dropout layers that
ignore the flag.
"""

from ._monte_carlo_dropout import monte_carlo_dropout

SOURCE = "https://github.com/matchms/ms2deepscore/pull/65"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    inputs = keras.Input((100,), name="base_input")
    x = inputs
    for i, dim in enumerate((500, 500), start=1):
        x = keras.layers.Dense(dim, activation="relu", name=f"dense{i}")(x)
        x = keras.layers.BatchNormalization(name=f"normalization{i}")(x)
        if fixed:
            x = monte_carlo_dropout(0.2, f"dropout{i}")(x)
        else:
            x = keras.layers.Dropout(0.2, name=f"dropout{i}")(x, training=True)
    embedding = keras.layers.Dense(200, activation="relu", name="embedding")(x)
    return keras.Model(inputs, embedding, name="base")


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
