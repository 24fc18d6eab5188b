"""keras-ordering in one minute.

1. Build a small CNN in a risky order: Conv -> ReLU -> Dropout -> BatchNorm.
2. Show what is wrong with it, most severe first.
3. Fix it: `fix_model` rewrites it into the recommended order and
   `fuse_model` turns BN -> ReLU -> Dropout into one BNActDropout; the risky
   and the fixed model side by side, with every change and whether it
   changes predictions.
4. Train the fixed model for a few steps on synthetic data.
5. Print the losses.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

# TensorFlow's native start-up messages ("failed call to cuInit" on machines
# without a GPU) go to the process's stderr before Python can filter them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Sends file descriptor 2 to /dev/null: TensorFlow's C++ start-up logs."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with native_stderr_silenced():
    import keras

    keras.ops.convert_to_numpy(keras.ops.ones((1,)))  # The backend's first op.

import numpy as np  # noqa: E402  (after TensorFlow's start-up, silenced above)

from keras_ordering import fix_model, fuse_model, lint_model  # noqa: E402

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


def describe(layer: keras.layers.Layer) -> str:
    """A layer's name, class and the settings the fix changes."""
    settings = []
    if getattr(layer, "use_bias", True) is False:
        settings.append("no bias")
    if hasattr(layer, "rate") and layer.rate:
        settings.append(f"rate {layer.rate:g}")
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", "")
    if name and name != "linear":
        settings.append(name)
    extra = f" ({', '.join(settings)})" if settings else ""
    return f"{layer.name}: {type(layer).__name__}{extra}"


def side_by_side(left: keras.Model, right: keras.Model) -> list[str]:
    """The layers of two models in two columns."""
    columns = [[describe(layer) for layer in model.layers] for model in (left, right)]
    width = max(len(cell) for cell in [left.name, *columns[0]]) + 4
    rows = [f"{left.name:{width}s}{right.name}"]
    for index in range(max(len(column) for column in columns)):
        cells = [column[index] if index < len(column) else "" for column in columns]
        rows.append(f"{cells[0]:{width}s}{cells[1]}".rstrip())
    return rows


def synthetic_data(samples: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Images whose class sets the mean of one colour channel."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, CLASSES, samples)
    images = rng.normal(size=(samples, *INPUT_SHAPE)).astype("float32")
    images[..., 0] += labels[:, None, None].astype("float32") - CLASSES / 2
    return images, labels


def indented(text: object) -> str:
    return "     " + str(text).replace("\n", "\n     ")


def main() -> None:
    keras.utils.set_random_seed(0)

    print("1. A model in a risky order:")
    risky = risky_model()
    for layer in risky.layers:
        print(indented(describe(layer)))

    print("2. The problem, as the linter reports it:")
    print(indented(lint_model(risky)))

    print("3. The fix: fix_model, then fuse_model (BN -> ReLU -> Dropout in one")
    print("   BNActDropout); the two models side by side, and what changed:")
    fixed, changes = fix_model(risky, return_changes=True)
    model, fusions = fuse_model(fixed, return_changes=True)
    model.name = "fixed"
    for row in side_by_side(risky, model):
        print(indented(row))
    print(indented(changes))
    print(indented(fusions))
    print(indented(f"lint: {str(lint_model(model)).splitlines()[0]}"))

    print("4. Training the fixed model for a few steps on synthetic data...")
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
