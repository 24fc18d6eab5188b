# ruff: noqa: E501
"""Deep Learning with Python, 2nd ed. (Chollet), chapter 9 "Putting it together: A mini Xception-like model": data augmentation, Rescaling(1/255), Conv2D(32, 5, no bias), five pre-activation residual blocks (BN -> relu -> SeparableConv2D(no bias) twice, MaxPooling2D(3, 2, "same"), a strided 1x1 Conv2D(no bias) shortcut, add), GlobalAveragePooling2D -> Dropout(0.5) -> Dense(1, sigmoid).

Source: https://github.com/fchollet/deep-learning-with-python-notebooks/blob/60e49565943efdc1c65cdfe6b4b13270688449d0/chapter09_part02_modern-convnet-architecture-patterns.ipynb (MIT).
Transcribed: the `data_augmentation` Sequential (RandomFlip, RandomRotation,
RandomZoom) and the model cell unchanged (sizes 32 to 512), compiled as
there with binary cross-entropy and RMSprop. Shrunk for CPU: 64 x 64 x 3
inputs instead of 180 x 180 x 3.
"""

SOURCE = "https://github.com/fchollet/deep-learning-with-python-notebooks/blob/60e49565943efdc1c65cdfe6b4b13270688449d0/chapter09_part02_modern-convnet-architecture-patterns.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Every convolution is use_bias=False, each BN reads a linear tensor (a
# convolution or the residual sum), the max pooling reads a linear
# SeparableConv2D, and the one Dropout sits between the pooled features and
# the sigmoid Dense: nothing to report.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.2),
        ]
    )

    inputs = keras.Input(shape=(64, 64, 3))
    x = data_augmentation(inputs)

    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(filters=32, kernel_size=5, use_bias=False)(x)

    for size in [32, 64, 128, 256, 512]:
        residual = x

        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)

        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        residual = layers.Conv2D(size, 1, strides=2, padding="same", use_bias=False)(
            residual
        )
        x = layers.add([x, residual])

    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model
