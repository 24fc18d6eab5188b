# ruff: noqa: E501
"""Keras 2 example for the Kaggle Otto challenge: Dense -> PReLU -> BatchNormalization -> Dropout(0.5) three times, Dense -> Activation('softmax').

Source: https://github.com/keras-team/keras/blob/19fadb5204f01e8fd6a2d2f769edb51ad5a88ddb/examples/kaggle_otto_nn.py (MIT).
Transcribed: unchanged (93 features, 512 units, 9 classes, categorical
cross-entropy, adam).
"""

SOURCE = "https://github.com/keras-team/keras/blob/19fadb5204f01e8fd6a2d2f769edb51ad5a88ddb/examples/kaggle_otto_nn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each BN normalizes the output of a PReLU instead of the Dense "
    "pre-activations (info).",
}


def build():
    import keras
    from keras.layers import Activation, BatchNormalization, Dense, Dropout, PReLU

    model = keras.Sequential([keras.Input((93,))])
    for _ in range(3):
        model.add(Dense(512))
        model.add(PReLU())
        model.add(BatchNormalization())
        model.add(Dropout(0.5))
    model.add(Dense(9))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
