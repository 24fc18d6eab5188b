"""The fixed models' Monte-Carlo dropout: a Dropout that ignores the flag.

This is the workaround given in keras-team/keras#18129 (a `Dropout` whose
`call` always passes `training=True`), used here so that the fixed models
do not depend on a layer of this package.
"""


def monte_carlo_dropout(rate: float, name: str):
    import keras

    class MCDropout(keras.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    return MCDropout(rate, name=name)
