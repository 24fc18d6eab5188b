# ruff: noqa: E501
"""keras-io "Convolutional Autoencoder For Image Denoising": Conv2D(relu) -> MaxPooling2D twice, then Conv2D(relu) -> UpSampling2D twice and a sigmoid Conv2D under binary cross-entropy.

Source: https://github.com/keras-team/keras-io/blob/28033e1c219da0430c695fdcbee81552b8c5f594/examples/vision/autoencoder.py (Apache-2.0).
Transcribed: unchanged (28x28x1 input, 32 filters, padding="same",
compiled with Adam and binary cross-entropy as in the source).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/28033e1c219da0430c695fdcbee81552b8c5f594/examples/vision/autoencoder.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Both encoder Conv2D(activation='relu') layers feed only a 2x2 "
    "MaxPooling2D: pooling first gives the same output with relu on 4x "
    "fewer values (info).",
}


def build():
    from keras.layers import Conv2D, Input, MaxPooling2D, UpSampling2D
    from keras.models import Model

    input = Input(shape=(28, 28, 1))

    # Encoder
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = MaxPooling2D((2, 2), padding="same")(x)
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = MaxPooling2D((2, 2), padding="same")(x)

    # Decoder
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = UpSampling2D((2, 2))(x)
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = UpSampling2D((2, 2))(x)
    x = Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    autoencoder = Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder
