# ruff: noqa: E501
"""TensorFlow tutorial "Simple audio recognition": spectrogram "images" -> Resizing(32, 32) -> adapted Normalization -> Conv2D(32, relu) -> Conv2D(64, relu) -> MaxPooling2D -> Dropout(0.25) -> Flatten -> Dense(128, relu) -> Dropout(0.5) -> Dense logits.

Source: https://github.com/tensorflow/docs/blob/094ee6cafc743d8915ecac9ec6531a764e221f6a/site/en/tutorials/audio/simple_audio.ipynb (Apache-2.0).
Transcribed: the tutorial's Sequential as written (`preprocessing.Resizing`
as `layers.Resizing`), on its (124, 129, 1) spectrograms of 8 commands.
The Normalization is adapted, as in the tutorial, but on 64 synthetic
non-negative spectrograms in [0, 1) instead of the Speech Commands data.
Compiled as in the tutorial: Adam, SparseCategoricalCrossentropy(
from_logits=True).
"""

SOURCE = "https://github.com/tensorflow/docs/blob/094ee6cafc743d8915ecac9ec6531a764e221f6a/site/en/tutorials/audio/simple_audio.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The Normalization is adapted, the dropouts follow the pooling and the
# hidden Dense, and the linear head matches the from_logits loss. Only the
# second conv's relu ahead of the max pooling is worth a note.
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Conv2D(64, activation='relu') feeds only the 2x2 MaxPooling2D: "
    "pooling first gives the same output with relu on 4x fewer values (info).",
}


def build():
    import numpy as np
    from keras import layers, losses, models, optimizers

    input_shape = (124, 129, 1)
    num_labels = 8
    norm_layer = layers.Normalization()
    spectrograms = np.random.default_rng(0).uniform(0, 1, size=(64, *input_shape))
    norm_layer.adapt(spectrograms.astype("float32"))

    model = models.Sequential(
        [
            layers.Input(shape=input_shape),
            layers.Resizing(32, 32),
            norm_layer,
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(num_labels),
        ]
    )
    model.compile(
        optimizer=optimizers.Adam(),
        loss=losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
