# ruff: noqa: E501, N806
"""serengil/deepface DeepID: three Conv2D(relu) -> MaxPooling2D -> Dropout(rate=0.99) stages, then two Dense(160) branches (the third stage flattened, and a fourth Conv2D flattened) summed and passed through relu as the face embedding.

Source: https://github.com/serengil/deepface/blob/0d6aa10b825312e4ab6b04d2b242aa8a2cfe058e/deepface/basemodels/DeepID.py (MIT).
Transcribed: `load_model()` without the weight download (`weights=None`):
the same layers, names, sizes, input (55, 47, 3) and the three
`Dropout(rate=0.99)` as in the source. The library builds the model for
inference only and does not compile it; neither does this file.
"""

SOURCE = "https://github.com/serengil/deepface/blob/0d6aa10b825312e4ab6b04d2b242aa8a2cfe058e/deepface/basemodels/DeepID.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# fc11 and fc12 are linear, but they feed an Add then relu, not a Dense:
# one linear map each into a sum, not two linear layers in a row (KO116
# does not apply). Conv4's relu feeds a Flatten, not a pooling.
EXPECTED: dict[str, int] = {"KO104": 3, "KO113": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Conv1, Conv2 and Conv3 apply relu (activation=) and feed only a "
    "2x2 max pooling of stride 2: pooling first gives the same output for a "
    "quarter of the relu work (info).",
    "KO113": "D1, D2 and D3 are Dropout(rate=0.99): Keras drops 99% of the units "
    "and scales the rest by 100, which only reads sensibly as a keep "
    "probability of 0.99 (rate 0.01); the same rate on three layers backs "
    "that reading (warning).",
}


def build():
    from keras.layers import (
        Activation,
        Add,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        Input,
        MaxPooling2D,
    )
    from keras.models import Model

    myInput = Input(shape=(55, 47, 3))

    x = Conv2D(20, (4, 4), name="Conv1", activation="relu")(myInput)
    x = MaxPooling2D(pool_size=2, strides=2, name="Pool1")(x)
    x = Dropout(rate=0.99, name="D1")(x)

    x = Conv2D(40, (3, 3), name="Conv2", activation="relu")(x)
    x = MaxPooling2D(pool_size=2, strides=2, name="Pool2")(x)
    x = Dropout(rate=0.99, name="D2")(x)

    x = Conv2D(60, (3, 3), name="Conv3", activation="relu")(x)
    x = MaxPooling2D(pool_size=2, strides=2, name="Pool3")(x)
    x = Dropout(rate=0.99, name="D3")(x)

    x1 = Flatten()(x)
    fc11 = Dense(160, name="fc11")(x1)

    x2 = Conv2D(80, (2, 2), name="Conv4", activation="relu")(x)
    x2 = Flatten()(x2)
    fc12 = Dense(160, name="fc12")(x2)

    y = Add()([fc11, fc12])
    y = Activation("relu", name="deepid")(y)

    return Model(inputs=[myInput], outputs=y)
