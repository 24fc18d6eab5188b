# ruff: noqa: E501
"""keras-team/keras#473 "Dropout followed by BatchNormalization causes model to give probabilistic result": input Dropout(0.2) -> Dense(1024) -> PReLU -> BatchNormalization -> Dropout(0.5) -> Dense(1) -> sigmoid.

Source: https://github.com/keras-team/keras/issues/473
Transcribed: the issue's Keras 0.x model in Keras 3 spelling
(`Dense(feats, units)` is an Input of 1024 features and Dense(1024),
`PReLU((units,))` and `BatchNormalization((units,))` take their shape from
the input); compiled as in the issue with binary cross-entropy and Adam.
The nondeterministic predictions the issue reports were a Keras 0.x bug;
the layer order is what is linted here.
"""

SOURCE = "https://github.com/keras-team/keras/issues/473"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Despite the title no Dropout reaches the BN without a weight layer in
# between (the first Dropout feeds the Dense): that is KO120's opt-in strict
# rule only, not KO101.
EXPECTED: dict[str, int] = {"KO102": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "The BN normalizes the output of a PReLU instead of the Dense "
    "layer's pre-activations (info).",
}


def build():
    from keras import Input
    from keras.layers import (
        Activation,
        BatchNormalization,
        Dense,
        Dropout,
        PReLU,
    )
    from keras.models import Sequential

    units = 1024
    feats = 1024
    feat_dropout = 0.2
    dropout = 0.5

    model = Sequential()
    model.add(Input(shape=(feats,)))
    model.add(Dropout(feat_dropout))

    model.add(Dense(units, kernel_initializer="glorot_uniform"))
    model.add(PReLU())
    model.add(BatchNormalization())
    model.add(Dropout(dropout))

    model.add(Dense(1, kernel_initializer="glorot_uniform"))
    model.add(Activation("sigmoid"))

    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model
