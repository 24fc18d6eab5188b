"""Integer class labels for a 3-unit softmax under categorical cross-entropy.

The report: a 1D CNN on rows of a CSV (177 values per row, the class in
column 178) fails with "expected dense_143 to have shape (None, 3) but got
array with shape (6210, 1)": `y = dataset[:, 178]` holds one class index
per row, while the categorical loss of the 3 softmax units wants one-hot
rows (the answers: `to_categorical(y)`, or the sparse loss). The model:
Conv1D(4, 2, relu) then four Conv1D (4x5, 10x4, 10x4, 15x4), each with a
LeakyReLU(0.1) and MaxPooling1D(2, strides=2), then Dense(50) ->
Dense(20) -> Flatten -> Dense(3, softmax). Transcribed with the compile
call the error implies (categorical cross-entropy; it is cut from the
report's excerpt) and Adam, on random rows with classes 0 to 2; the fix
one-hot encodes them.
"""

SOURCE = "https://github.com/keras-team/keras/issues/12378"
RULE = "KO301"


def _build(one_hot: bool):
    import keras
    import numpy as np
    from keras import layers

    n_timesteps = 177
    model = keras.Sequential(
        [
            keras.Input((n_timesteps, 1)),
            layers.Conv1D(filters=4, kernel_size=2, activation="relu"),
            layers.LeakyReLU(negative_slope=0.1),
            layers.MaxPooling1D(2, strides=2),
            layers.Conv1D(4, 5, strides=1),
            layers.LeakyReLU(negative_slope=0.1),
            layers.MaxPooling1D(2, strides=2),
            layers.Conv1D(10, 4, strides=1),
            layers.LeakyReLU(negative_slope=0.1),
            layers.MaxPooling1D(2, strides=2),
            layers.Conv1D(10, 4, strides=1),
            layers.LeakyReLU(negative_slope=0.1),
            layers.MaxPooling1D(2, strides=2),
            layers.Conv1D(15, 4, strides=1),
            layers.LeakyReLU(negative_slope=0.1),
            layers.MaxPooling1D(2, strides=2),
            layers.Dense(50),
            layers.Dense(20),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, n_timesteps, 1)).astype("float32")
    y = (np.arange(128) % 3).astype("float32").reshape(-1, 1)
    if one_hot:
        y = keras.utils.to_categorical(y, 3)
    return model, x, y, 32


def build_buggy():
    return _build(one_hot=False)


def build_fixed():
    return _build(one_hot=True)
