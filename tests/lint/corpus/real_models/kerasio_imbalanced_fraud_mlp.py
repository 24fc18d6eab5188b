# ruff: noqa: E501
"""keras-io "Imbalanced classification: credit card fraud detection": a tabular MLP of three Dense(256, relu) layers with Dropout(0.3) after the last two and a sigmoid unit.

Source: https://github.com/keras-team/keras-io/blob/0e2570ad95239574579c493d03eac955af344c24/examples/structured_data/imbalanced_classification.py (Apache-2.0).
Transcribed: unchanged; the input is the data set's 30 standardized
features (train_features.shape[1:] in the source); compiled with Adam(1e-2)
and binary cross-entropy as in the source, metrics left out.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0e2570ad95239574579c493d03eac955af344c24/examples/structured_data/imbalanced_classification.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: each Dropout follows a relu and feeds a Dense layer.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(30,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    return model
