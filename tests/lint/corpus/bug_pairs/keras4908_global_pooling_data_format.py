"""keras-team/keras #4908: a global pooling whose ordering is not the tensor's.

The report: a Conv2D of 16 3x3 filters on 32x32 images followed by
`GlobalAveragePooling2D` gave `(None, 16)` under Theano ordering but
`(None, 30)` under TensorFlow ordering; the answer: the ordering argument
given to the pooling did not match the convolution's, so it averaged over
the channels and one spatial axis. Transcribed in Keras 3 terms: a
channels-last Conv2D(16, 3) on 32x32x3 images, then
`GlobalAveragePooling2D(data_format="channels_first")` (one value per row,
30 of them) and a Dense(10, softmax) head; the fix gives the pooling the
convolution's data format (16 channel averages).
"""

SOURCE = "https://github.com/keras-team/keras/issues/4908"
RULE = "KO118"


def _build(fixed: bool):
    import keras

    data_format = "channels_last" if fixed else "channels_first"
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(16, 3, name="conv"),
            keras.layers.GlobalAveragePooling2D(data_format=data_format, name="gap"),
            keras.layers.Dense(10, activation="softmax", name="head"),
        ],
        name="conv_gap",
    )
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
