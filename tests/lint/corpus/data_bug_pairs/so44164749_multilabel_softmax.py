"""Multi-label rows from `MultiLabelBinarizer` under softmax + categorical.

The report: 11 classes, more than one true per sample, `y` from
scikit-learn's `MultiLabelBinarizer` (a row like
`[0,0,0,1,0,1,0,0,0,0,1]`), trained "as for a problem that is not
multi-label": Dense(5000, relu) -> Dropout(0.1) -> Dense(600, relu) ->
Dropout(0.1) -> Dense(11, softmax), categorical cross-entropy, SGD(0.01,
decay 1e-6, momentum 0.9, Nesterov), batch size 2000; no error, and the
asker wonders what Keras does with it. The accepted answer: don't use
softmax; a sigmoid output with binary cross-entropy. Transcribed with 100
features (the report's `X_train.shape[1]` is not given) and one to three
labels per row; the fix is the answer's.
"""

SOURCE = "https://stackoverflow.com/questions/44164749"
RULE = "KO301"


def _build(fixed: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((512, 100)).astype("float32")
    y = np.zeros((512, 11), dtype="float32")
    for row in range(512):
        y[row, rng.choice(11, size=1 + row % 3, replace=False)] = 1.0
    model = keras.Sequential(
        [
            keras.Input((100,)),
            keras.layers.Dense(5000, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(600, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(11, activation="sigmoid" if fixed else "softmax"),
        ]
    )
    model.compile(
        loss="binary_crossentropy" if fixed else "categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
        metrics=["accuracy"],
    )
    return model, x, y, 2000


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
