# ruff: noqa: E501
"""Keras 2 example "simple deep CNN on CIFAR10": Conv2D -> Activation('relu') pairs, MaxPooling2D -> Dropout, a Dense head with Activation('softmax').

Source: https://github.com/keras-team/keras/blob/026858eb5fac0dd5f2585fdfe497e3e7eb599029/examples/cifar10_cnn.py (MIT).
Transcribed: unchanged (32x32x3 input, 32/32/64/64 filters, Dense(512),
Dropout 0.25/0.25/0.5, categorical cross-entropy; RMSprop as in the source).
"""

SOURCE = "https://github.com/keras-team/keras/blob/026858eb5fac0dd5f2585fdfe497e3e7eb599029/examples/cifar10_cnn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each stage ends Activation('relu') -> MaxPooling2D with the pooling "
    "as the relu's only consumer: pooling first is identical and cheaper (info).",
}


def build():
    import keras
    from keras.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D

    model = keras.Sequential()
    model.add(keras.Input((32, 32, 3)))
    model.add(Conv2D(32, (3, 3), padding="same"))
    model.add(Activation("relu"))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Conv2D(64, (3, 3), padding="same"))
    model.add(Activation("relu"))
    model.add(Conv2D(64, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(512))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(learning_rate=0.0001),
    )
    return model
