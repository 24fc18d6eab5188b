# ruff: noqa: E501
"""keras-team/keras#12096 "Simple CNN not learning at all": Conv2D(96, 11x11, relu) on a channels-first 1x225x225 grey image -> MaxPooling2D(3, strides=2) -> Flatten -> Dense(2, activation='relu'), trained with categorical cross-entropy on one-hot labels.

Source: https://github.com/keras-team/keras/issues/12096
Transcribed: the issue's model as written; its `input_shape=(1, 225, 225)`
relied on Keras 2's channels_first image_data_format, spelt here as
`data_format="channels_first"` on the convolution and the pooling, and an
Input instead of `input_shape=`. Compiled as in the issue with
categorical_crossentropy and Adam. The loss stuck at 5.3727 the issue
reports comes from the relu output: a unit at 0 gets probability 0 after
Keras' sum-normalization, and its gradient dies.
"""

SOURCE = "https://github.com/keras-team/keras/issues/12096"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 1, "KO203": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The Conv2D(activation='relu') feeds only a shrinking 3x3/2 "
    "MaxPooling2D: pooling first gives the same output with relu on fewer "
    "values (info).",
    "KO203": "The output Dense(2, activation='relu') is trained with "
    "categorical cross-entropy: relu outputs are not a probability "
    "distribution (zeros give log(0), clipped, with no gradient); the head "
    "needs a softmax.",
}


def build():
    from keras import Input
    from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from keras.models import Sequential

    model = Sequential()
    model.add(Input(shape=(1, 225, 225)))
    model.add(Conv2D(96, (11, 11), activation="relu", data_format="channels_first"))
    model.add(MaxPooling2D(pool_size=(3, 3), strides=2, data_format="channels_first"))
    model.add(Flatten())
    model.add(Dense(2, activation="relu"))

    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
