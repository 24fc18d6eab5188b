"""Ames sale prices fed raw to an MSE regressor: the loss is NaN in epoch 1.

The report: the rstudio::conf 2020 deep-learning workshop's Ames housing
MLP (Dense 512 -> 256 -> 128 relu -> Dense(1)) trained with mean squared
error and SGD at learning rate 0.1, batch 16, on features the recipe
normalized and the raw `Sale_Price` (up to about 755 000): `loss: nan` from
the first epoch. The reason given: the squared errors of such targets
explode; the fix scales the targets. Transcribed: 256 rows of 40
standardized features and prices uniform in 35 000 to 755 000; the fix
standardizes the prices (their mean and spread kept to invert the
predictions).
"""

SOURCE = "https://github.com/rstudio-conf-2020/dl-keras-tf/issues/9"
RULE = "KO308"


def _build(standardize: bool):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((40,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mae"],
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 40)).astype("float32")
    y = rng.uniform(35000, 755000, size=(256, 1)).astype("float32")
    if standardize:
        y = (y - y.mean()) / y.std()
    return model, x, y, 16


def build_buggy():
    return _build(False)


def build_fixed():
    return _build(True)
