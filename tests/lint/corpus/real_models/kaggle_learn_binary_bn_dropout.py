# ruff: noqa: E501
"""Kaggle Learn "Intro to Deep Learning", lesson 6 "Binary Classification" (as kept in StarryNight-cn/kaggle_notes): BatchNormalization on the 10 input features, then two blocks of Dense(256, relu) -> BatchNormalization -> Dropout(0.3), and a sigmoid Dense(1).

Source: https://github.com/StarryNight-cn/kaggle_notes/blob/402a3c4d1062b1740042eae7d14c714b7682cda5/Intro_to_Deep_Learning/6.Binary_Classification.py (no license stated).
Transcribed: the model and compile call unchanged (`input_shape=[10]` as an
Input), binary cross-entropy and Adam.
"""

SOURCE = "https://github.com/StarryNight-cn/kaggle_notes/blob/402a3c4d1062b1740042eae7d14c714b7682cda5/Intro_to_Deep_Learning/6.Binary_Classification.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The first BN normalizes the raw features (no activation before it). Each
# Dropout feeds a Dense, not a BN: not KO101.
EXPECTED: dict[str, int] = {"KO102": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "The second and third BatchNormalization layers normalize the "
    "relu output of Dense(256) instead of its pre-activations (info).",
}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(10,)),
            layers.BatchNormalization(),
            layers.Dense(256, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(rate=0.3),
            layers.Dense(256, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(rate=0.3),
            layers.Dense(1, activation="sigmoid"),
        ]
    )

    model.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["binary_accuracy"],
    )
    return model
