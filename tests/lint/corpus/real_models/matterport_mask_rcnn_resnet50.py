# ruff: noqa: E501, N806, N812
"""matterport/Mask_RCNN: the ResNet-50 backbone of Mask R-CNN (`resnet_graph`), whose every BatchNorm (a BatchNormalization subclass) is called with `training=train_bn`, False under the default `Config.TRAIN_BN = False` ("Freeze BN layers. Good when batch size is small").

Source: https://github.com/matterport/Mask_RCNN/blob/0038efff320e7192223c538f3ccd77a153962e30/mrcnn/model.py (MIT).
Transcribed: `BatchNorm`, `identity_block`, `conv_block` and
`resnet_graph(input_image, "resnet50", stage5=True, train_bn=False)` as
`MaskRCNN.build` calls them with the default config: ZeroPadding2D(3) ->
Conv2D 7x7/2 -> BatchNorm -> relu -> MaxPooling2D(3, 2, "same") stem, then
stages 2 to 5 (3, 4, 6 and 3 bottleneck blocks) with biased convolutions
(`use_bias=True`) and `BatchNorm(...)(x, training=False)`, returning
[C1, C2, C3, C4, C5] as the model's outputs (the FPN reads them). Keras 2's
`super(self.__class__, self).call` is `super().call`. Shrunk for CPU speed:
64x64 inputs and every filter count divided by 4. Not compiled (the
source compiles the whole Mask R-CNN with its own losses).
"""

SOURCE = "https://github.com/matterport/Mask_RCNN/blob/0038efff320e7192223c538f3ccd77a153962e30/mrcnn/model.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 1, "KO106": 53, "KO130": 53}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The stem's relu feeds only MaxPooling2D((3, 3), strides=2, "
    "'same'), which shrinks its input: pooling first is the same output for "
    "a quarter of the relu work (info).",
    "KO106": "All 53 convolutions (stem, 3 per block, 4 shortcuts) keep "
    "use_bias=True and feed only a BatchNorm, which cancels the bias (info).",
    "KO130": "All 53 trainable BatchNorm layers are called with training=False "
    "to freeze them; in Keras 3, fit passes training=True to every layer of "
    "the Functional graph, so they normalize with batch statistics and update "
    "their moving statistics on Mask R-CNN's 1-2 images per GPU; only "
    "trainable=False freezes them (warning).",
}


def build():
    import keras
    from keras import layers as KL

    class BatchNorm(KL.BatchNormalization):
        def call(self, inputs, training=None):
            return super().call(inputs, training=training)

    def identity_block(
        input_tensor, kernel_size, filters, stage, block, use_bias=True, train_bn=True
    ):
        nb_filter1, nb_filter2, nb_filter3 = filters
        conv_name_base = "res" + str(stage) + block + "_branch"
        bn_name_base = "bn" + str(stage) + block + "_branch"

        x = KL.Conv2D(
            nb_filter1, (1, 1), name=conv_name_base + "2a", use_bias=use_bias
        )(input_tensor)
        x = BatchNorm(name=bn_name_base + "2a")(x, training=train_bn)
        x = KL.Activation("relu")(x)
        x = KL.Conv2D(
            nb_filter2,
            (kernel_size, kernel_size),
            padding="same",
            name=conv_name_base + "2b",
            use_bias=use_bias,
        )(x)
        x = BatchNorm(name=bn_name_base + "2b")(x, training=train_bn)
        x = KL.Activation("relu")(x)
        x = KL.Conv2D(
            nb_filter3, (1, 1), name=conv_name_base + "2c", use_bias=use_bias
        )(x)
        x = BatchNorm(name=bn_name_base + "2c")(x, training=train_bn)
        x = KL.Add()([x, input_tensor])
        return KL.Activation("relu", name="res" + str(stage) + block + "_out")(x)

    def conv_block(
        input_tensor,
        kernel_size,
        filters,
        stage,
        block,
        strides=(2, 2),
        use_bias=True,
        train_bn=True,
    ):
        nb_filter1, nb_filter2, nb_filter3 = filters
        conv_name_base = "res" + str(stage) + block + "_branch"
        bn_name_base = "bn" + str(stage) + block + "_branch"

        x = KL.Conv2D(
            nb_filter1,
            (1, 1),
            strides=strides,
            name=conv_name_base + "2a",
            use_bias=use_bias,
        )(input_tensor)
        x = BatchNorm(name=bn_name_base + "2a")(x, training=train_bn)
        x = KL.Activation("relu")(x)
        x = KL.Conv2D(
            nb_filter2,
            (kernel_size, kernel_size),
            padding="same",
            name=conv_name_base + "2b",
            use_bias=use_bias,
        )(x)
        x = BatchNorm(name=bn_name_base + "2b")(x, training=train_bn)
        x = KL.Activation("relu")(x)
        x = KL.Conv2D(
            nb_filter3, (1, 1), name=conv_name_base + "2c", use_bias=use_bias
        )(x)
        x = BatchNorm(name=bn_name_base + "2c")(x, training=train_bn)
        shortcut = KL.Conv2D(
            nb_filter3,
            (1, 1),
            strides=strides,
            name=conv_name_base + "1",
            use_bias=use_bias,
        )(input_tensor)
        shortcut = BatchNorm(name=bn_name_base + "1")(shortcut, training=train_bn)
        x = KL.Add()([x, shortcut])
        return KL.Activation("relu", name="res" + str(stage) + block + "_out")(x)

    def resnet_graph(input_image, stage5=True, train_bn=True):
        x = KL.ZeroPadding2D((3, 3))(input_image)
        x = KL.Conv2D(16, (7, 7), strides=(2, 2), name="conv1", use_bias=True)(x)
        x = BatchNorm(name="bn_conv1")(x, training=train_bn)
        x = KL.Activation("relu")(x)
        C1 = x = KL.MaxPooling2D((3, 3), strides=(2, 2), padding="same")(x)
        x = conv_block(
            x, 3, [16, 16, 64], stage=2, block="a", strides=(1, 1), train_bn=train_bn
        )
        x = identity_block(x, 3, [16, 16, 64], stage=2, block="b", train_bn=train_bn)
        C2 = x = identity_block(
            x, 3, [16, 16, 64], stage=2, block="c", train_bn=train_bn
        )
        x = conv_block(x, 3, [32, 32, 128], stage=3, block="a", train_bn=train_bn)
        x = identity_block(x, 3, [32, 32, 128], stage=3, block="b", train_bn=train_bn)
        x = identity_block(x, 3, [32, 32, 128], stage=3, block="c", train_bn=train_bn)
        C3 = x = identity_block(
            x, 3, [32, 32, 128], stage=3, block="d", train_bn=train_bn
        )
        x = conv_block(x, 3, [64, 64, 256], stage=4, block="a", train_bn=train_bn)
        for i in range(5):  # resnet50
            x = identity_block(
                x, 3, [64, 64, 256], stage=4, block=chr(98 + i), train_bn=train_bn
            )
        C4 = x
        x = conv_block(x, 3, [128, 128, 512], stage=5, block="a", train_bn=train_bn)
        x = identity_block(x, 3, [128, 128, 512], stage=5, block="b", train_bn=train_bn)
        C5 = x = identity_block(
            x, 3, [128, 128, 512], stage=5, block="c", train_bn=train_bn
        )
        return [C1, C2, C3, C4, C5]

    input_image = KL.Input(shape=(64, 64, 3), name="input_image")
    outputs = resnet_graph(input_image, stage5=True, train_bn=False)
    return keras.Model(input_image, outputs, name="resnet50_backbone")
