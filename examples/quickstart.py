"""keras-ordering in one minute.

1. Build a small CNN in a risky order: Conv -> ReLU -> Dropout -> BatchNorm.
2. Show what is wrong with it.
3. Build the same CNN with BNActDropout: Conv -> [BN -> ReLU -> Dropout].
4. Train it for a few steps on synthetic data.
5. Print the losses.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from keras_ordering import BNActDropout, lint_model

INPUT_SHAPE = (16, 16, 3)
CLASSES = 4


def risky_model() -> keras.Model:
    """Conv -> ReLU -> Dropout -> BatchNorm: dropout before batch norm."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            keras.layers.Conv2D(16, 3, name="conv"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dropout(0.3, name="dropout"),
            keras.layers.BatchNormalization(name="batch_norm"),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(CLASSES, name="logits"),
        ],
        name="risky",
    )


def fused_model() -> keras.Model:
    """Conv -> BNActDropout(BN -> ReLU -> SpatialDropout): the recommended order."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            keras.layers.Conv2D(16, 3, use_bias=False, name="conv"),
            # Spatial dropout drops whole channel maps, which also commutes
            # with the pooling that follows.
            BNActDropout(
                "relu", rate=0.3, dropout="spatial", seed=0, name="bn_relu_dropout"
            ),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(CLASSES, name="logits"),
        ],
        name="fused",
    )


def synthetic_data(samples: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Images whose class sets the mean of one colour channel."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, CLASSES, samples)
    images = rng.normal(size=(samples, *INPUT_SHAPE)).astype("float32")
    images[..., 0] += labels[:, None, None].astype("float32") - CLASSES / 2
    return images, labels


def main() -> None:
    keras.utils.set_random_seed(0)

    print("1. A model in a risky order:")
    risky = risky_model()
    for layer in risky.layers:
        print(f"     {layer.name:12s} {type(layer).__name__}")

    print("2. The problem, as the linter reports it:")
    report = lint_model(risky)
    print("     " + str(report).replace("\n", "\n     "))

    print("3. The same model with BNActDropout:")
    model = fused_model()
    for layer in model.layers:
        print(f"     {layer.name:16s} {type(layer).__name__}")
    print(f"     lint: {str(lint_model(model)).splitlines()[0]}")

    print("4. Training for a few steps on synthetic data...")
    images, labels = synthetic_data()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(images, labels, batch_size=64, epochs=3, verbose=0)

    print("5. Losses:")
    for epoch, (loss, accuracy) in enumerate(
        zip(history.history["loss"], history.history["accuracy"], strict=True), 1
    ):
        print(f"     epoch {epoch}: loss {loss:.4f}  accuracy {accuracy:.3f}")
    test_loss, test_accuracy = model.evaluate(images, labels, verbose=0)
    print(f"     evaluate: loss {test_loss:.4f}  accuracy {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
