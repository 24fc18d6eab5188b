# ruff: noqa: E501
"""Stack Overflow question 60043592 "Is BatchNormalization a problem with only 2 conv layers?": two Conv2D -> BatchNormalization -> Activation('relu') -> MaxPooling2D -> Dropout(0.2) stages on 28x28x1, Flatten -> Dense(128) -> BatchNormalization -> relu -> Dropout(0.5) -> Dense(10, softmax).

Source: https://codewithsundeep.com/discussion/solution/60043592
(a mirror of the Stack Overflow question of the same number).
Transcribed: the question's Sequential as written (an Input instead of
`input_shape=`); compiled with Adam and categorical cross-entropy as the
question's `model.compilke(optimizer="Adam", loss='categorical_crossentropy')`
meant, metrics left out.
"""

SOURCE = "https://codewithsundeep.com/discussion/solution/60043592"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The layer order is the textbook one (weight layer -> BN -> activation ->
# pooling -> dropout), so the question's worry is unfounded; only the
# biases before the BNs and the relu-before-pooling order are worth notes.
EXPECTED: dict[str, int] = {"KO104": 2, "KO106": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "In both conv stages Activation('relu') feeds only a 2x2 "
    "MaxPooling2D: pooling first gives the same output with relu on 4x "
    "fewer values (info).",
    "KO106": "Both Conv2D layers and the Dense(128) keep use_bias=True and "
    "feed only a BatchNormalization, which cancels the bias (info).",
}


def build():
    from keras import Input
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        MaxPooling2D,
    )
    from keras.models import Sequential

    model = Sequential()
    model.add(Input(shape=(28, 28, 1)))
    model.add(Conv2D(32, kernel_size=(3, 3), padding="same"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.2))
    model.add(Conv2D(64, kernel_size=(3, 3), padding="same"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.2))
    model.add(Flatten())
    model.add(Dense(128))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="Adam", loss="categorical_crossentropy")
    return model
