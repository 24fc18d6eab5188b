# ruff: noqa: E501
"""tsc: LSTM-FCN for time series classification (an LSTM branch with the paper's Dropout(0.8), and three Conv1D -> BN -> ReLU blocks).

Source: https://github.com/liadbiz/tsc/blob/fe10593ed1f024bb96489191dff167d16562bdd6/models/FCNLSTM.py
Transcribed: `build_lstmfcn(input_shape=(1, 64), num_classes=3,
num_cells=8)` with the Conv1D filters 128/256/128 divided by 8; layer order
and settings as in the source (Karim et al., "LSTM Fully Convolutional
Networks for Time Series Classification", 2017, which states the 80%
dropout after the LSTM). Compiled with categorical cross-entropy, as the
family's training scripts do.
"""

SOURCE = "https://github.com/liadbiz/tsc/blob/fe10593ed1f024bb96489191dff167d16562bdd6/models/FCNLSTM.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 3, "KO113": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the three Conv1D keeps use_bias=True and feeds only a BN, "
    "which cancels the bias (info).",
    "KO113": "Dropout(0.8) drops 80%: the paper chose it on purpose, so with "
    "nothing else in the model backing a keep_prob reading it is an info, "
    "not a warning (issue 22 item 3).",
}


def build():
    import keras

    ip = keras.Input(shape=(1, 64))
    x = keras.layers.LSTM(8)(ip)
    x = keras.layers.Dropout(0.8)(x)
    y = keras.layers.Permute((2, 1))(ip)
    y = keras.layers.Conv1D(16, 8, padding="same", kernel_initializer="he_uniform")(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv1D(32, 5, padding="same", kernel_initializer="he_uniform")(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv1D(16, 3, padding="same", kernel_initializer="he_uniform")(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.GlobalAveragePooling1D()(y)
    x = keras.layers.concatenate([x, y])
    out = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(ip, out)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model
