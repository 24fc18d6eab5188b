"""N-BEATSx #1: SELU layers of an N-BEATS block regularized with standard dropout.

The report: with `activation='selu'` (and its `lecun_normal` initializer)
the N-BEATSx block's fully connected stack keeps applying standard
dropout, while "in order to make SELU useful, you need to use
AlphaDropout". Transcribed: one N-BEATS block in Keras, a lookback of 24
steps -> four Dense(256, selu, lecun_normal) layers each followed by
Dropout(0.1) -> a linear theta layer of 32 coefficients (the block's
backcast/forecast basis left out); the fix uses AlphaDropout.
"""

SOURCE = "https://github.com/cchallu/nbeatsx/issues/1"
RULE = "KO115"


def _build(dropout):
    import keras

    inputs = keras.Input((24,), name="insample")
    x = inputs
    for index in range(4):
        x = keras.layers.Dense(
            256,
            activation="selu",
            kernel_initializer="lecun_normal",
            name=f"fc_{index}",
        )(x)
        x = dropout(0.1, name=f"dropout_{index}")(x)
    theta = keras.layers.Dense(32, name="theta")(x)
    return keras.Model(inputs, theta, name="nbeats_block")


def build_buggy():
    import keras

    return _build(keras.layers.Dropout)


def build_fixed():
    import keras

    return _build(keras.layers.AlphaDropout)
