"""Preflight on scikit-learn's digits: find a label bug before training.

Runs as a script or cell by cell in a notebook (each step displays its
report there). Uses data scikit-learn ships, so nothing is downloaded.

    python examples/preflight_digits.py
"""

from __future__ import annotations

import keras
import numpy as np
from sklearn.datasets import load_digits

import keras_ordering


def model_with(head: str, loss: str, name: str) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(1 / 16),  # digits' pixels are 0..16
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation=head, name="head"),
        ],
        name=name,
    )
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def main() -> dict[str, keras_ordering.LintReport]:
    digits = load_digits()
    x = digits.images[..., None].astype("float32")  # (1797, 8, 8, 1), 0..16
    y = keras.utils.to_categorical(digits.target, 10)  # one-hot, exclusive

    # 1. A common slip: sigmoid + binary cross-entropy on exclusive classes.
    buggy = model_with("sigmoid", "binary_crossentropy", "buggy")
    buggy_report = keras_ordering.preflight(buggy, x, y, batch_size=32)
    print(buggy_report)

    # 2. The fix the message names: softmax + categorical cross-entropy.
    fixed = model_with("softmax", "categorical_crossentropy", "fixed")
    fixed_report = keras_ordering.preflight(fixed, x, y, batch_size=32)
    print(fixed_report)

    # 3. In a pipeline: the callback runs the same check before the first step.
    callback = keras_ordering.LintCallback(data=(x, y), batch_size=32, config=False)
    history = fixed.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[callback])
    print(f"trained one epoch: loss {history.history['loss'][0]:.3f}")
    return {"buggy": buggy_report, "fixed": fixed_report}


if __name__ == "__main__":
    np.random.seed(0)
    main()
