# ruff: noqa: E501
"""TensorFlow tutorial "Overfit and underfit": the combined L2 + dropout model (Dense(elu) -> Dropout(0.5) four times, one logit).

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/keras/overfit_and_underfit.ipynb (Apache-2.0).
Transcribed: `combined_model` with 28 features (the Higgs data) and 64
units instead of 512; regularizers, dropout rates and
BinaryCrossentropy(from_logits=True) as in the source.
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/keras/overfit_and_underfit.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers, regularizers

    model = keras.Sequential([keras.Input((28,))])
    for _ in range(4):
        model.add(
            layers.Dense(
                64, kernel_regularizer=regularizers.l2(0.0001), activation="elu"
            )
        )
        model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1))
    model.compile(
        optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True)
    )
    return model
