"""Models of the data-aware rules' examples that need a custom layer, which
an `Example` (standard layers as data) cannot describe. Imports keras: only
`DataExample.build()` and the docs import it."""

from __future__ import annotations

import keras


class ForcedTrainingBN(keras.layers.BatchNormalization):
    """A BatchNormalization whose `call` forces `training=True`."""

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=True)


class FlagFollowingBN(keras.layers.BatchNormalization):
    """The same layer passing the flag on."""

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=training)


def custom_bn_model(forced: bool = True) -> keras.Model:
    layer = ForcedTrainingBN if forced else FlagFollowingBN
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, name="dense"),
            layer(name="custom_bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    model.compile(loss="mean_squared_error")
    return model
