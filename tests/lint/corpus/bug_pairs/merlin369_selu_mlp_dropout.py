"""NVIDIA Merlin models #369: the MLP block's dropout behind SELU layers.

The fix: Merlin's `MLPBlock` stacked Dense layers with the chosen
activation, each followed by a standard `Dropout`; the pull request adds
AlphaDropout, "which is recommended by selu activation", for SELU blocks.
Transcribed: an MLP block of the kind the pull request targets, Dense(64,
selu) -> Dropout(0.2) -> Dense(32, selu) -> Dropout(0.2), on 30 continuous
features with a sigmoid click-prediction head (sizes illustrative); the
fix uses AlphaDropout(0.2).
"""

SOURCE = "https://github.com/NVIDIA-Merlin/models/pull/369"
RULE = "KO115"


def _build(dropout):
    import keras

    inputs = keras.Input((30,), name="continuous")
    x = inputs
    for units in (64, 32):
        x = keras.layers.Dense(units, activation="selu", name=f"dense_{units}")(x)
        x = dropout(0.2, name=f"dropout_{units}")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="click")(x)
    model = keras.Model(inputs, outputs, name="merlin_mlp_block")
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def build_buggy():
    import keras

    return _build(keras.layers.Dropout)


def build_fixed():
    import keras

    return _build(keras.layers.AlphaDropout)
