# ruff: noqa: E501
"""serengil/deepface VGG-Face: the VGG-16-style face classifier (ZeroPadding2D -> Conv2D(relu) pairs and triples, 2x2 max pooling), fully convolutional fc layers Conv2D(4096, 7x7, relu) -> Dropout(0.5) -> Conv2D(4096, 1x1, relu) -> Dropout(0.5) -> Conv2D(2622, 1x1), Flatten, softmax.

Source: https://github.com/serengil/deepface/blob/0b22c5482de9ae58d51f50359fd8fa23e459e0ca/deepface/basemodels/VGGFace.py (MIT).
Transcribed: `baseModel()` (the Sequential classifier the library loads
weights into, before it cuts the descriptor at the Flatten) without the
weights (`weights=None`): layer order, paddings, activations, the
Dropout(0.5) pair and the 224x224x3 input as in the source
(`Convolution2D` is `Conv2D`; `input_shape=` is an `Input`). Shrunk for
CPU speed: every filter count divided by 8 (64..512 become 8..64, the two
4096 fc convs 512); the 2622 identities kept. The library does not
compile the model; neither does this file.
"""

SOURCE = "https://github.com/serengil/deepface/blob/0b22c5482de9ae58d51f50359fd8fa23e459e0ca/deepface/basemodels/VGGFace.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The two dropouts follow a relu and feed a convolution: well placed.
EXPECTED: dict[str, int] = {"KO104": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The last conv of each of the 5 blocks applies relu (activation=) "
    "and feeds only MaxPooling2D((2, 2), strides=(2, 2)): pooling first gives "
    "the same output for a quarter of the relu work (info).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        Conv2D,
        Dropout,
        Flatten,
        MaxPooling2D,
        ZeroPadding2D,
    )
    from keras.models import Sequential

    model = Sequential()
    model.add(keras.Input((224, 224, 3)))
    for filters, convs in ((8, 2), (16, 2), (32, 3), (64, 3), (64, 3)):
        for _ in range(convs):
            model.add(ZeroPadding2D((1, 1)))
            model.add(Conv2D(filters, (3, 3), activation="relu"))
        model.add(MaxPooling2D((2, 2), strides=(2, 2)))

    model.add(Conv2D(512, (7, 7), activation="relu"))
    model.add(Dropout(0.5))
    model.add(Conv2D(512, (1, 1), activation="relu"))
    model.add(Dropout(0.5))
    model.add(Conv2D(2622, (1, 1)))
    model.add(Flatten())
    model.add(Activation("softmax"))
    return model
