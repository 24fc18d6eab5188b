# ruff: noqa: E501
"""Keras-GAN's Context Encoder generator (inpainting on CIFAR-10): a strided Conv2D -> LeakyReLU -> BatchNormalization(momentum=0.8) encoder, a 1x1 Conv2D(512) bottleneck -> LeakyReLU -> Dropout(0.5), and an UpSampling2D -> Conv2D -> relu -> BN decoder ending in a tanh Conv2D patch.

Source: https://github.com/eriklindernoren/Keras-GAN/blob/77ed7218bb7ad9856829d087728cfdec134cb8a8/context_encoder/context_encoder.py (MIT).
Transcribed: `ContextEncoder.build_generator()` as in the source (the
Sequential wrapped in `Model(masked_img, gen_missing)`), sizes as in the
source (32x32x3 masked image -> 8x8x3 missing patch). The source compiles
the generator only inside the combined model (mse + adversarial BCE), so
it is returned uncompiled. LeakyReLU's `alpha` is `negative_slope` in
Keras 3.
"""

SOURCE = "https://github.com/eriklindernoren/Keras-GAN/blob/77ed7218bb7ad9856829d087728cfdec134cb8a8/context_encoder/context_encoder.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The Dropout(0.5) after the bottleneck feeds UpSampling2D and a Conv2D:
# not a pooling, not a BN, not the output. No KO106: every biased Conv2D
# feeds an activation. No loss compiled: nothing for KO2xx.
EXPECTED: dict[str, int] = {"KO102": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "All five BNs (three in the encoder after LeakyReLU, two in the "
    "decoder after relu) normalize activations instead of pre-activations "
    "(info, a convention).",
}


def build():
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Dropout,
        Input,
        LeakyReLU,
        UpSampling2D,
    )
    from keras.models import Model, Sequential

    img_shape = (32, 32, 3)
    channels = 3

    model = Sequential()
    model.add(Input(shape=img_shape))
    # Encoder
    model.add(Conv2D(32, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(64, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(128, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(BatchNormalization(momentum=0.8))

    model.add(Conv2D(512, kernel_size=1, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(Dropout(0.5))

    # Decoder
    model.add(UpSampling2D())
    model.add(Conv2D(128, kernel_size=3, padding="same"))
    model.add(Activation("relu"))
    model.add(BatchNormalization(momentum=0.8))
    model.add(UpSampling2D())
    model.add(Conv2D(64, kernel_size=3, padding="same"))
    model.add(Activation("relu"))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(channels, kernel_size=3, padding="same"))
    model.add(Activation("tanh"))

    masked_img = Input(shape=img_shape)
    gen_missing = model(masked_img)
    return Model(masked_img, gen_missing)
