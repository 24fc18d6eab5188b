# ruff: noqa: E501
"""PavlosMelissinos/enet-keras ENet (naive up-sampling variant): an initial block (strided conv next to a max pooling), 22 encoder bottlenecks (1x1 or 2x2 projection -> BN -> PReLU -> 3x3 / dilated / asymmetric conv -> BN -> PReLU -> 1x1 conv -> BN -> SpatialDropout2D, added to the shortcut, PReLU), 5 decoder bottlenecks (conv -> BN -> relu), a Conv2DTranspose to the classes, reshaped to (pixels, classes) and softmaxed.

Source: https://github.com/PavlosMelissinos/enet-keras/blob/2ee72dd18e7ca80963c991b23e7d2f974e5a1095/src/models/enet_naive_upsampling/encoder.py (MIT), with its decoder.py (commit 0035309122f42fbac71647a6ed72b65e2e247622) and model.py (commit 2ee72dd18e7ca80963c991b23e7d2f974e5a1095).
Transcribed: `build(nc, w, h)` with the encoder's `BatchNormalization(momentum=0.1)`
(commented "enet uses momentum of 0.1, keras default is 0.99" in the
source), the decoder's momentum=0.9, use_bias, SpatialDropout2D rates
(0.01 for stage 1, 0.1 after), PReLU(shared_axes=[1, 2]), the channel
padding of the downsampling shortcut (Permute -> ZeroPadding2D -> Permute)
and the loss (categorical cross-entropy, Adadelta) as in the source.
`internal = output / internal_scale` is a float under Python 3, which
Keras 3's Conv2D refuses: it is `//` here (the same 16 / 32 filters).
Shrunk for CPU speed: 64x64 inputs and nc=12 classes.
"""

SOURCE = "https://github.com/PavlosMelissinos/enet-keras/blob/2ee72dd18e7ca80963c991b23e7d2f974e5a1095/src/models/enet_naive_upsampling/encoder.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO101: every SpatialDropout2D feeds the residual Add, then a PReLU,
# then the next bottleneck's convolutions (a weight layer before any BN).
# No KO104: the PReLU before a downsampling shortcut's max pooling also
# feeds the main branch's strided conv.
EXPECTED: dict[str, int] = {"KO106": 27, "KO112": 66}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the 22 encoder bottlenecks has one biased conv (the 3x3, "
    "dilated 3x3 or the second asymmetric 5x1) feeding only a BN, and each "
    "of the 5 decoder bottlenecks its biased 3x3 Conv2D or Conv2DTranspose: "
    "the BN cancels the bias (info).",
    "KO112": "The 66 encoder BNs (3 per bottleneck) use momentum=0.1, PyTorch's "
    "(Torch's) value copied into Keras, where it keeps only 10% of the "
    "history: 0.9 is the Keras equivalent (the decoder already uses 0.9).",
}


def build():
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Conv2DTranspose,
        Input,
        MaxPooling2D,
        Permute,
        PReLU,
        Reshape,
        SpatialDropout2D,
        UpSampling2D,
        ZeroPadding2D,
        add,
        concatenate,
    )
    from keras.models import Model

    def initial_block(inp, nb_filter=13, nb_row=3, nb_col=3, strides=(2, 2)):
        conv = Conv2D(nb_filter, (nb_row, nb_col), padding="same", strides=strides)(inp)
        max_pool = MaxPooling2D()(inp)
        return concatenate([conv, max_pool], axis=3)

    def encoder_bottleneck(
        inp,
        output,
        internal_scale=4,
        asymmetric=0,
        dilated=0,
        downsample=False,
        dropout_rate=0.1,
    ):
        internal = output // internal_scale
        encoder = inp
        input_stride = 2 if downsample else 1
        encoder = Conv2D(
            internal,
            (input_stride, input_stride),
            strides=(input_stride, input_stride),
            use_bias=False,
        )(encoder)
        encoder = BatchNormalization(momentum=0.1)(encoder)
        encoder = PReLU(shared_axes=[1, 2])(encoder)
        if not asymmetric and not dilated:
            encoder = Conv2D(internal, (3, 3), padding="same")(encoder)
        elif asymmetric:
            encoder = Conv2D(internal, (1, asymmetric), padding="same", use_bias=False)(
                encoder
            )
            encoder = Conv2D(internal, (asymmetric, 1), padding="same")(encoder)
        else:
            encoder = Conv2D(
                internal, (3, 3), dilation_rate=(dilated, dilated), padding="same"
            )(encoder)
        encoder = BatchNormalization(momentum=0.1)(encoder)
        encoder = PReLU(shared_axes=[1, 2])(encoder)
        encoder = Conv2D(output, (1, 1), use_bias=False)(encoder)
        encoder = BatchNormalization(momentum=0.1)(encoder)
        encoder = SpatialDropout2D(dropout_rate)(encoder)

        other = inp
        if downsample:
            other = MaxPooling2D()(other)
            other = Permute((1, 3, 2))(other)
            pad_feature_maps = output - inp.shape[3]
            other = ZeroPadding2D(padding=((0, 0), (0, pad_feature_maps)))(other)
            other = Permute((1, 3, 2))(other)

        encoder = add([encoder, other])
        return PReLU(shared_axes=[1, 2])(encoder)

    def build_encoder(inp, dropout_rate=0.01):
        enet = initial_block(inp)
        enet = encoder_bottleneck(enet, 64, downsample=True, dropout_rate=dropout_rate)
        for _ in range(4):
            enet = encoder_bottleneck(enet, 64, dropout_rate=dropout_rate)
        enet = encoder_bottleneck(enet, 128, downsample=True)
        for _ in range(2):
            enet = encoder_bottleneck(enet, 128)
            enet = encoder_bottleneck(enet, 128, dilated=2)
            enet = encoder_bottleneck(enet, 128, asymmetric=5)
            enet = encoder_bottleneck(enet, 128, dilated=4)
            enet = encoder_bottleneck(enet, 128)
            enet = encoder_bottleneck(enet, 128, dilated=8)
            enet = encoder_bottleneck(enet, 128, asymmetric=5)
            enet = encoder_bottleneck(enet, 128, dilated=16)
        return enet

    def decoder_bottleneck(
        encoder, output, upsample=False, reverse_module=False, momentum=0.9
    ):
        internal = output // 4
        x = Conv2D(internal, (1, 1), use_bias=False)(encoder)
        x = BatchNormalization(momentum=momentum)(x)
        x = Activation("relu")(x)
        if not upsample:
            x = Conv2D(internal, (3, 3), padding="same", use_bias=True)(x)
        else:
            x = Conv2DTranspose(
                filters=internal, kernel_size=(3, 3), strides=(2, 2), padding="same"
            )(x)
        x = BatchNormalization(momentum=momentum)(x)
        x = Activation("relu")(x)
        x = Conv2D(output, (1, 1), padding="same", use_bias=False)(x)

        other = encoder
        if encoder.shape[-1] != output or upsample:
            other = Conv2D(output, (1, 1), padding="same", use_bias=False)(other)
            other = BatchNormalization(momentum=momentum)(other)
            if upsample and reverse_module is not False:
                other = UpSampling2D(size=(2, 2))(other)

        if upsample and reverse_module is False:
            decoder = x
        else:
            x = BatchNormalization(momentum=momentum)(x)
            decoder = add([x, other])
            decoder = Activation("relu")(decoder)
        return decoder

    def build_decoder(encoder, nc, momentum=0.9):
        enet = decoder_bottleneck(
            encoder, 64, upsample=True, reverse_module=True, momentum=momentum
        )
        enet = decoder_bottleneck(enet, 64, momentum=momentum)
        enet = decoder_bottleneck(enet, 64, momentum=momentum)
        enet = decoder_bottleneck(
            enet, 16, upsample=True, reverse_module=True, momentum=momentum
        )
        enet = decoder_bottleneck(enet, 16, momentum=momentum)
        return Conv2DTranspose(
            filters=nc, kernel_size=(2, 2), strides=(2, 2), padding="same"
        )(enet)

    nc, w, h = 12, 64, 64
    inp = Input(shape=(h, w, 3))
    enet = build_encoder(inp)
    enet = build_decoder(enet, nc=nc)
    enet = Reshape((w * h, nc))(enet)
    enet = Activation("softmax")(enet)
    model = Model(inputs=inp, outputs=enet)
    model.compile(
        optimizer="adadelta",
        loss="categorical_crossentropy",
        metrics=["accuracy", "mean_squared_error"],
    )
    return model
