"""Images divided by 255 before a model whose first layer is Rescaling(1/255).

The report: "The preprocessing pipeline divides image pixels by 255.0
before inference, but the training models already include a
Rescaling(1./255) layer", so the model sees 0..0.0039. Transcribed: a small
image classifier starting with Rescaling(1/255) -> two Conv2D(relu) +
MaxPooling2D -> Dense(64, relu) -> Dense(4, softmax), sparse categorical
cross-entropy, 32 images of 32x32x3 (the report's images are larger) at
batch 32; the fix feeds the raw pixels.
"""

SOURCE = "https://github.com/Priyanshu-byte-coder/devtrack/issues/927"
RULE = "KO302"


def _build(divide: bool):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1.0 / 255),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(32, 32, 32, 3)).astype("float32")
    return model, x / 255.0 if divide else x, np.arange(32) % 4, 32


def build_buggy():
    return _build(divide=True)


def build_fixed():
    return _build(divide=False)
