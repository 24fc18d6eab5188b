"""EfficientNetB0 fed CIFAR-10 images already divided by 255.

The report: a bare-bones fine-tuning of `EfficientNetB0` on CIFAR-10 fails
"in a very strange way" while the same code works with MobileNet. The code
divides the images by 255, but keras.applications' EfficientNet rescales
its inputs itself (`Rescaling(1/255)` then `Normalization`) and expects raw
pixels in [0, 255]. Transcribed: Input(32, 32, 3) -> Resizing(224, 224) ->
EfficientNetB0(include_top=False) -> GlobalAveragePooling2D -> Dense(10,
softmax), categorical cross-entropy, Adam; `weights=None` (the tests do not
download), which keeps the layers. 16 images at batch 16 instead of 64.
The fix feeds the raw pixels.
"""

SOURCE = "https://github.com/keras-team/keras-io/issues/1549"
RULE = "KO302"
SLOW = True


def _build(divide: bool):
    import keras
    import numpy as np

    backbone = keras.applications.EfficientNetB0(
        weights=None, include_top=False, input_shape=(224, 224, 3)
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            keras.layers.Resizing(224, 224),
            backbone,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(16, 32, 32, 3)).astype("uint8")
    x = x.astype("float32") / 255 if divide else x.astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 10, 10)
    return model, x, y, 16


def build_buggy():
    return _build(divide=True)


def build_fixed():
    return _build(divide=False)
