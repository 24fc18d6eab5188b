# ruff: noqa: E501, N802
"""keras-io "Denoising Diffusion Implicit Models": a residual U-Net whose blocks are BatchNormalization(center=False, scale=False) -> Conv2D(swish) -> Conv2D -> Add, with a sinusoidal embedding of the noise variance (a Lambda) upsampled and concatenated to a 1x1 stem, average-pooling down blocks, bilinear up blocks with skip concatenations, and a zero-initialized 1x1 output convolution.

Source: https://github.com/keras-team/keras-io/blob/093dad4127f0b3dc1575e65ac62a054a240e0d0f/examples/generative/ddim.py (Apache-2.0).
Transcribed: `sinusoidal_embedding()`, `ResidualBlock()`, `DownBlock()`,
`UpBlock()` and `get_network()` unchanged in layer order, activations and
initializers, with the source's embedding_dims 32,
embedding_max_frequency 1000, widths [32, 64, 96, 128] and block_depth 2;
the Lambda uses `keras.ops` where the source uses `tf`. Shrunk for CPU
speed: 32x32 images (the source: 64x64). The source trains the network
inside a `DiffusionModel` compiled with AdamW(learning_rate=1e-3,
weight_decay=1e-4) and mean absolute error; the network is compiled here
with that optimizer and loss.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/093dad4127f0b3dc1575e65ac62a054a240e0d0f/examples/generative/ddim.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report. Each BN (no beta, no gamma) opens a residual block:
# its input is a merge (Concatenate, Add) or a pooled / upsampled Add,
# never an activation, and no biased layer feeds it alone: the biased
# convolutions before it (the 1x1 stem, the second conv of a block, a 1x1
# residual projection) all reach an Add whose output also runs down the
# residual stream or a skip into a weight layer, so their bias is not
# cancelled. The zero-initialized output convolution is the last layer (no
# nonlinearity after it: the network starts by predicting the noise mean).
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import math

    import keras
    from keras import layers, ops

    image_size = 32
    embedding_dims = 32
    embedding_max_frequency = 1000.0
    widths = [32, 64, 96, 128]
    block_depth = 2
    learning_rate = 1e-3
    weight_decay = 1e-4

    def sinusoidal_embedding(x):
        embedding_min_frequency = 1.0
        frequencies = ops.exp(
            ops.linspace(
                math.log(embedding_min_frequency),
                math.log(embedding_max_frequency),
                embedding_dims // 2,
            )
        )
        angular_speeds = ops.cast(2.0 * math.pi * frequencies, "float32")
        return ops.concatenate(
            [ops.sin(angular_speeds * x), ops.cos(angular_speeds * x)], axis=3
        )

    def ResidualBlock(width):
        def apply(x):
            input_width = x.shape[3]
            if input_width == width:
                residual = x
            else:
                residual = layers.Conv2D(width, kernel_size=1)(x)
            x = layers.BatchNormalization(center=False, scale=False)(x)
            x = layers.Conv2D(
                width,
                kernel_size=3,
                padding="same",
                activation=keras.activations.swish,
            )(x)
            x = layers.Conv2D(width, kernel_size=3, padding="same")(x)
            x = layers.Add()([x, residual])
            return x

        return apply

    def DownBlock(width, block_depth):
        def apply(x):
            x, skips = x
            for _ in range(block_depth):
                x = ResidualBlock(width)(x)
                skips.append(x)
            x = layers.AveragePooling2D(pool_size=2)(x)
            return x

        return apply

    def UpBlock(width, block_depth):
        def apply(x):
            x, skips = x
            x = layers.UpSampling2D(size=2, interpolation="bilinear")(x)
            for _ in range(block_depth):
                x = layers.Concatenate()([x, skips.pop()])
                x = ResidualBlock(width)(x)
            return x

        return apply

    def get_network(image_size, widths, block_depth):
        noisy_images = keras.Input(shape=(image_size, image_size, 3))
        noise_variances = keras.Input(shape=(1, 1, 1))

        e = layers.Lambda(sinusoidal_embedding, output_shape=(1, 1, embedding_dims))(
            noise_variances
        )
        e = layers.UpSampling2D(size=image_size, interpolation="nearest")(e)

        x = layers.Conv2D(widths[0], kernel_size=1)(noisy_images)
        x = layers.Concatenate()([x, e])

        skips = []
        for width in widths[:-1]:
            x = DownBlock(width, block_depth)([x, skips])

        for _ in range(block_depth):
            x = ResidualBlock(widths[-1])(x)

        for width in reversed(widths[:-1]):
            x = UpBlock(width, block_depth)([x, skips])

        x = layers.Conv2D(3, kernel_size=1, kernel_initializer="zeros")(x)

        return keras.Model([noisy_images, noise_variances], x, name="residual_unet")

    model = get_network(image_size, widths, block_depth)
    model.compile(
        optimizer=keras.optimizers.AdamW(
            learning_rate=learning_rate, weight_decay=weight_decay
        ),
        loss=keras.losses.mean_absolute_error,
    )
    return model
