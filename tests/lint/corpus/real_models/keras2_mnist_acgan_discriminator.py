# ruff: noqa: E501
"""Keras 2 example "mnist_acgan": the AC-GAN discriminator, a Sequential of four Conv2D -> LeakyReLU(0.2) -> Dropout(0.3) stages nested in a Functional model with two heads (real/fake sigmoid, 10-class softmax).

Source: https://github.com/keras-team/keras/blob/017fe07d01751011a054a081d9646d78081c9b3e/examples/mnist_acgan.py (MIT).
Transcribed: `build_discriminator()` unchanged in Keras 3 spelling (an Input
instead of `input_shape=`); compiled as in the source with
['binary_crossentropy', 'sparse_categorical_crossentropy'] and Adam
(learning_rate=0.0002, beta_1=0.5).
"""

SOURCE = "https://github.com/keras-team/keras/blob/017fe07d01751011a054a081d9646d78081c9b3e/examples/mnist_acgan.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: every Dropout follows a LeakyReLU (they commute) and
# feeds a weight layer or the Flatten before both heads, and each head's
# activation matches its loss.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras.layers import Conv2D, Dense, Dropout, Flatten, Input, LeakyReLU
    from keras.models import Model, Sequential

    num_classes = 10
    cnn = Sequential()
    cnn.add(Input(shape=(28, 28, 1)))
    cnn.add(Conv2D(32, 3, padding="same", strides=2))
    cnn.add(LeakyReLU(0.2))
    cnn.add(Dropout(0.3))

    cnn.add(Conv2D(64, 3, padding="same", strides=1))
    cnn.add(LeakyReLU(0.2))
    cnn.add(Dropout(0.3))

    cnn.add(Conv2D(128, 3, padding="same", strides=2))
    cnn.add(LeakyReLU(0.2))
    cnn.add(Dropout(0.3))

    cnn.add(Conv2D(256, 3, padding="same", strides=1))
    cnn.add(LeakyReLU(0.2))
    cnn.add(Dropout(0.3))

    cnn.add(Flatten())

    image = Input(shape=(28, 28, 1))
    features = cnn(image)

    fake = Dense(1, activation="sigmoid", name="generation")(features)
    aux = Dense(num_classes, activation="softmax", name="auxiliary")(features)

    model = Model(image, [fake, aux])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5),
        loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
    )
    return model
