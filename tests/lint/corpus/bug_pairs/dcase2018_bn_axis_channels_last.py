"""DCASE 2018 baseline: channels-last spectrograms with BN on axis 1.

The bug (the reverse case): the input is channels last, `(batch, mel
bands, time, 1)`, but the parameter file set the batch normalization axis
to 1, the mel-band axis; the maintainers confirmed it should be the last
axis. Transcribed: a channels-last CNN of the baseline's kind (Conv2D -> BN
-> ReLU -> MaxPooling -> Dropout, twice, on a 40x500x1 log-mel input, and a
softmax head over the 10 scene classes; layer sizes illustrative) with BN on
axis 1; the fix sets `axis=-1`.
"""

SOURCE = "https://github.com/DCASE-REPO/dcase2018_baseline/issues/18"
RULE = "KO111"


def _build(axis: int):
    import keras

    layers = [keras.Input((40, 500, 1))]
    for index, filters in enumerate((32, 64), start=1):
        layers += [
            keras.layers.Conv2D(filters, 7, padding="same", name=f"conv{index}"),
            keras.layers.BatchNormalization(axis=axis, name=f"bn{index}"),
            keras.layers.Activation("relu", name=f"relu{index}"),
            keras.layers.MaxPooling2D((5, 5), name=f"pool{index}"),
            keras.layers.Dropout(0.3, name=f"drop{index}"),
        ]
    layers += [
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(100, activation="relu", name="dense"),
        keras.layers.Dense(10, activation="softmax", name="probs"),
    ]
    model = keras.Sequential(layers, name="dcase_baseline")
    model.compile(loss="categorical_crossentropy")
    return model


def build_buggy():
    return _build(axis=1)


def build_fixed():
    return _build(axis=-1)
