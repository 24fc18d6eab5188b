# ruff: noqa: E501
"""ellisdg/3DUnetCNN's `isensee2017_model` (Isensee et al.'s BraTS 2017 network): a channels_first 3D U-Net of Conv3D -> InstanceNormalization(axis=1) -> LeakyReLU blocks, residual context modules with SpatialDropout3D(0.3), up-sampling and localization modules, and deep supervision (three 1x1x1 segmentation maps up-sampled and summed) under a sigmoid, trained with a weighted Dice loss.

Source: https://github.com/ellisdg/3DUnetCNN/blob/3ececcb4842c691f8baa6e6440c4a0b9a2ccd3eb/unet3d/model/isensee2017.py (MIT).
Transcribed: `isensee2017_model` with its defaults (depth 5,
n_base_filters 16, dropout_rate 0.3, 3 segmentation levels, 4 labels,
sigmoid) and `create_convolution_block(..., activation=LeakyReLU,
instance_normalization=True)` from unet3d/model/unet.py at
https://github.com/ellisdg/3DUnetCNN/blob/22db4be2826811d14656ecde28c4a4abd8d87114/unet3d/model/unet.py.
keras_contrib's `InstanceNormalization(axis=1)` is Keras 3's
`GroupNormalization(groups=-1, axis=1)` (one group per channel, a scale
and offset per channel); the module-level channels_first setting is
spelled out on every Conv3D and UpSampling3D (the SpatialDropout3D has it
in the source). `weighted_dice_coefficient_loss` is transcribed from
unet3d/metrics.py at commit eb5bc840ca3f6f31f274910b14431adca6d191b8 (smooth 0.00001, mean over labels of the per-label Dice
over axes (-3, -2, -1)). Adam(lr=5e-4) is `learning_rate` in Keras 3. The
(4, 128, 128, 128) volume is shrunk to (4, 32, 32, 32) for build time.
"""

SOURCE = "https://github.com/ellisdg/3DUnetCNN/blob/3ececcb4842c691f8baa6e6440c4a0b9a2ccd3eb/unet3d/model/isensee2017.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO114: the instance normalizations are on axis 1, the channels of the
# channels_first Conv3D. The SpatialDropout3D sits between LeakyReLU and a
# Conv3D: no BN, pooling or output after it. The segmentation maps' LeakyReLU
# and the final sigmoid are separated by Add / UpSampling3D merges (not two
# activations in a row). Dice loss: no cross-entropy to match.
EXPECTED: dict[str, int] = {"KO106": 30}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Every one of the 30 convolution blocks (15 in the context "
    "pathway, 12 in the up-sampling / localization modules, 3 segmentation "
    "1x1x1 convolutions) is a biased Conv3D feeding only an instance "
    "normalization on the channel axis, which subtracts each channel's "
    "per-sample mean and cancels the bias (info).",
}


def weighted_dice_coefficient(y_true, y_pred, axis=(-3, -2, -1), smooth=0.00001):
    from keras import ops

    return ops.mean(
        2.0
        * (ops.sum(y_true * y_pred, axis=axis) + smooth / 2)
        / (ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + smooth)
    )


def weighted_dice_coefficient_loss(y_true, y_pred):
    return -weighted_dice_coefficient(y_true, y_pred)


def build():
    import keras
    from keras.layers import (
        Activation,
        Add,
        Conv3D,
        GroupNormalization,
        Input,
        LeakyReLU,
        SpatialDropout3D,
        UpSampling3D,
        concatenate,
    )
    from keras.models import Model

    fmt = "channels_first"
    input_shape = (4, 32, 32, 32)
    n_base_filters = 16
    depth = 5
    dropout_rate = 0.3
    n_segmentation_levels = 3
    n_labels = 4

    def create_convolution_block(
        input_layer, n_filters, kernel=(3, 3, 3), strides=(1, 1, 1)
    ):
        layer = Conv3D(
            n_filters, kernel, padding="same", strides=strides, data_format=fmt
        )(input_layer)
        layer = GroupNormalization(groups=-1, axis=1)(layer)
        return LeakyReLU()(layer)

    def create_context_module(input_layer, n_level_filters):
        convolution1 = create_convolution_block(input_layer, n_level_filters)
        dropout = SpatialDropout3D(rate=dropout_rate, data_format=fmt)(convolution1)
        return create_convolution_block(dropout, n_level_filters)

    def create_up_sampling_module(input_layer, n_filters, size=(2, 2, 2)):
        up_sample = UpSampling3D(size=size, data_format=fmt)(input_layer)
        return create_convolution_block(up_sample, n_filters)

    def create_localization_module(input_layer, n_filters):
        convolution1 = create_convolution_block(input_layer, n_filters)
        return create_convolution_block(convolution1, n_filters, kernel=(1, 1, 1))

    inputs = Input(input_shape)
    current_layer = inputs
    level_output_layers = []
    level_filters = []
    for level_number in range(depth):
        n_level_filters = (2**level_number) * n_base_filters
        level_filters.append(n_level_filters)
        if current_layer is inputs:
            in_conv = create_convolution_block(current_layer, n_level_filters)
        else:
            in_conv = create_convolution_block(
                current_layer, n_level_filters, strides=(2, 2, 2)
            )
        context_output_layer = create_context_module(in_conv, n_level_filters)
        summation_layer = Add()([in_conv, context_output_layer])
        level_output_layers.append(summation_layer)
        current_layer = summation_layer

    segmentation_layers = []
    for level_number in range(depth - 2, -1, -1):
        up_sampling = create_up_sampling_module(
            current_layer, level_filters[level_number]
        )
        concatenation_layer = concatenate(
            [level_output_layers[level_number], up_sampling], axis=1
        )
        localization_output = create_localization_module(
            concatenation_layer, level_filters[level_number]
        )
        current_layer = localization_output
        if level_number < n_segmentation_levels:
            segmentation_layers.insert(
                0, create_convolution_block(current_layer, n_labels, kernel=(1, 1, 1))
            )

    output_layer = None
    for level_number in reversed(range(n_segmentation_levels)):
        segmentation_layer = segmentation_layers[level_number]
        if output_layer is None:
            output_layer = segmentation_layer
        else:
            output_layer = Add()([output_layer, segmentation_layer])
        if level_number > 0:
            output_layer = UpSampling3D(size=(2, 2, 2), data_format=fmt)(output_layer)

    activation_block = Activation("sigmoid")(output_layer)
    model = Model(inputs=inputs, outputs=activation_block)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=5e-4),
        loss=weighted_dice_coefficient_loss,
    )
    return model
