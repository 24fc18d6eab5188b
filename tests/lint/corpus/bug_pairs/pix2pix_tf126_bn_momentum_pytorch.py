"""pix2pix-tensorflow copied the Torch batch-norm momentum, 0.1.

The report: the port's `batchnorm` calls
`tf.layers.batch_normalization(..., epsilon=1e-5, momentum=0.1)`, the value
of the original Torch implementation; "in tensorflow momentum = 1-0.1, as
there is difference in convention of moving average in torch and
tensorflow", which "can adversely affect the results very much at test
time". Transcribed: the port's PatchGAN discriminator (n_layers=3) in Keras:
input and target images concatenated (256, 256, 6) -> Conv2D(64, 4, stride
2) -> LeakyReLU(0.2) -> [Conv2D(128 / 256, 4, stride 2), Conv2D(512, 4,
stride 1)] each -> BN(epsilon=1e-5, momentum=0.1) -> LeakyReLU(0.2) ->
Conv2D(1, 4) -> sigmoid, with "same" padding in place of the port's explicit
padding; the fix is the issue's momentum=0.9.
"""

SOURCE = "https://github.com/affinelayer/pix2pix-tensorflow/issues/126"
RULE = "KO112"


def _build(momentum: float):
    import keras
    from keras import layers

    initializer = keras.initializers.RandomNormal(0.0, 0.02)
    inputs = keras.Input((256, 256, 3), name="discrim_inputs")
    targets = keras.Input((256, 256, 3), name="discrim_targets")
    x = layers.Concatenate(axis=3, name="concat")([inputs, targets])
    x = layers.Conv2D(
        64, 4, strides=2, padding="same", kernel_initializer=initializer, name="layer_1"
    )(x)
    x = layers.LeakyReLU(0.2, name="lrelu_1")(x)
    for index, (filters, stride) in enumerate(((128, 2), (256, 2), (512, 1)), start=2):
        x = layers.Conv2D(
            filters,
            4,
            strides=stride,
            padding="same",
            kernel_initializer=initializer,
            name=f"layer_{index}",
        )(x)
        x = layers.BatchNormalization(
            epsilon=1e-5,
            momentum=momentum,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
            name=f"batchnorm_{index}",
        )(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{index}")(x)
    x = layers.Conv2D(
        1, 4, padding="same", kernel_initializer=initializer, name="layer_5"
    )(x)
    outputs = layers.Activation("sigmoid", name="patch_probability")(x)
    model = keras.Model([inputs, targets], outputs, name="discriminator")
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build(momentum=0.1)


def build_fixed():
    return _build(momentum=0.9)
