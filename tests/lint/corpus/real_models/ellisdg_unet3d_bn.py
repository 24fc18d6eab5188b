# ruff: noqa: E501
"""ellisdg/3DUnetCNN's `unet_model_3d` with `batch_normalization=True`: a channels_first 3D U-Net (Conv3D -> BatchNormalization(axis=1) -> relu blocks, MaxPooling3D, UpSampling3D, skips concatenated on axis 1), a 1x1x1 Conv3D and a sigmoid head, trained with a soft Dice loss.

Source: https://github.com/ellisdg/3DUnetCNN/blob/22db4be2826811d14656ecde28c4a4abd8d87114/unet3d/model/unet.py (MIT).
Transcribed: `unet_model_3d(input_shape, batch_normalization=True)` (the
source's own option; its default builds no BN) with the module's
`K.set_image_data_format("channels_first")` spelled out as
`data_format="channels_first"` on every Conv3D, MaxPooling3D and
UpSampling3D, `create_convolution_block` and `get_up_convolution`
(deconvolution=False) as in the source, depth 4 and n_base_filters 32 as
in the source; the volume shrunk to (1, 32, 32, 32) for build time.
`dice_coefficient_loss` is transcribed from unet3d/metrics.py (at commit eb5bc840ca3f6f31f274910b14431adca6d191b8) (smooth 1.0),
Adam(lr=1e-5) is `learning_rate` in Keras 3, the dice metric left out.
"""

SOURCE = "https://github.com/ellisdg/3DUnetCNN/blob/22db4be2826811d14656ecde28c4a4abd8d87114/unet3d/model/unet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO111: every BN uses axis=1, the channel axis of the channels_first
# Conv3D before it. No KO104: each relu before a MaxPooling3D (layer2 of a
# level) also feeds the skip concatenation. The head is a Dice loss on a
# sigmoid: no cross-entropy to match.
EXPECTED: dict[str, int] = {"KO106": 14}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "All 14 Conv3D of the convolution blocks (8 down, 6 up) have a "
    "bias, no activation and feed only their BatchNormalization(axis=1), "
    "which subtracts each channel's mean and cancels it (info).",
}


def dice_coefficient(y_true, y_pred, smooth=1.0):
    from keras import ops

    y_true_f = ops.reshape(y_true, (-1,))
    y_pred_f = ops.reshape(y_pred, (-1,))
    intersection = ops.sum(y_true_f * y_pred_f)
    return (2.0 * intersection + smooth) / (
        ops.sum(y_true_f) + ops.sum(y_pred_f) + smooth
    )


def dice_coefficient_loss(y_true, y_pred):
    return -dice_coefficient(y_true, y_pred)


def build():
    import keras
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv3D,
        Input,
        MaxPooling3D,
        UpSampling3D,
        concatenate,
    )
    from keras.models import Model

    fmt = "channels_first"
    input_shape = (1, 32, 32, 32)
    pool_size = (2, 2, 2)
    n_labels = 1
    depth = 4
    n_base_filters = 32
    batch_normalization = True

    def create_convolution_block(input_layer, n_filters, kernel=(3, 3, 3)):
        layer = Conv3D(n_filters, kernel, padding="same", data_format=fmt)(input_layer)
        if batch_normalization:
            layer = BatchNormalization(axis=1)(layer)
        return Activation("relu")(layer)

    inputs = Input(input_shape)
    current_layer = inputs
    levels = []
    for layer_depth in range(depth):
        layer1 = create_convolution_block(
            current_layer, n_base_filters * (2**layer_depth)
        )
        layer2 = create_convolution_block(layer1, n_base_filters * (2**layer_depth) * 2)
        if layer_depth < depth - 1:
            current_layer = MaxPooling3D(pool_size=pool_size, data_format=fmt)(layer2)
            levels.append([layer1, layer2, current_layer])
        else:
            current_layer = layer2
            levels.append([layer1, layer2])

    for layer_depth in range(depth - 2, -1, -1):
        up_convolution = UpSampling3D(size=pool_size, data_format=fmt)(current_layer)
        concat = concatenate([up_convolution, levels[layer_depth][1]], axis=1)
        n_filters = levels[layer_depth][1].shape[1]
        current_layer = create_convolution_block(concat, n_filters)
        current_layer = create_convolution_block(current_layer, n_filters)

    final_convolution = Conv3D(n_labels, (1, 1, 1), data_format=fmt)(current_layer)
    act = Activation("sigmoid")(final_convolution)
    model = Model(inputs=inputs, outputs=act)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.00001),
        loss=dice_coefficient_loss,
    )
    return model
