# ruff: noqa: E501
"""MogaNet of keras_cv_attention_models: pre-norm blocks where a BN output feeds both the residual trunk and the next block's BN, with layer scale and drop-path on each branch.

Source: https://github.com/leondgarse/keras_cv_attention_models/blob/02771fa52d435558ffa2d6c35203bd22684451dd/keras_cv_attention_models/moganet/moganet.py (MIT).
Transcribed: `MogaNet(num_blocks=[2, 2, 2, 2], out_channels=[8, 16, 24, 32],
mlp_ratios=[8, 8, 4, 4], input_shape=(32, 32, 3), num_classes=10,
drop_connect_rate=0.1)` with the helpers of common_layers.py inlined
(batchnorm_with_activation: BN(momentum=0.9, epsilon=1e-5) then the
activation; drop_block: Dropout(noise_shape=(None, 1, 1, 1))); the custom
ChannelAffine (a per-channel scale: layer scale and feature_decompose's
weight) is written as DepthwiseConv2D(1, use_bias=False), the same linear
map; torch-style explicit padding as padding="same"; the split/concat and
x - y, x + y tensor operations as in the source (keras.ops).
"""

SOURCE = "https://github.com/leondgarse/keras_cv_attention_models/blob/02771fa52d435558ffa2d6c35203bd22684451dd/keras_cv_attention_models/moganet/moganet.py"
# Building its weights takes about 2.5 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 14, "KO106": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "Blocks 2-8 each put a per-sample drop-path (Dropout with noise_shape "
    "(None, 1, 1, 1)) on both residual branches; each of the 14 reaches the next "
    "pre-norm BN through the Add: info (deliberate stochastic depth), one finding "
    "per drop-path, not one per later BN.",
    "KO106": "The two stem convs and the 3 downsample convs are built with "
    "use_bias=True and feed only a BN.",
}


def build():
    return build_moganet(num_blocks=[2, 2, 2, 2], num_classes=10)


def build_moganet(num_blocks, num_classes):
    """The source's `MogaNet(...)` with the settings of the docstring."""
    import keras
    from keras import layers, ops

    def bn(x, activation=None):
        x = layers.BatchNormalization(axis=-1, momentum=0.9, epsilon=1e-5)(x)
        return layers.Activation(activation)(x) if activation else x

    def channel_affine(x):
        return layers.DepthwiseConv2D(1, use_bias=False)(x)

    def conv(x, filters, kernel_size=1, strides=1):
        return layers.Conv2D(
            filters, kernel_size, strides=strides, padding="same", use_bias=True
        )(x)

    def dw_conv(x, kernel_size, dilation_rate=1):
        return layers.DepthwiseConv2D(
            kernel_size, padding="same", dilation_rate=dilation_rate, use_bias=True
        )(x)

    def add_with_layer_scale_and_drop_block(short, deep, drop_rate):
        deep = channel_affine(deep)
        if drop_rate > 0:
            deep = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1))(deep)
        return layers.Add()([short, deep])

    def feature_decompose(inputs, use_pool=False, activation="gelu"):
        if use_pool:
            decomposed = layers.GlobalAveragePooling2D(keepdims=True)(inputs)
        else:
            decomposed = conv(inputs, 1)
        if activation:
            decomposed = layers.Activation(activation)(decomposed)
        decomposed = channel_affine(inputs - decomposed)
        return inputs + decomposed

    def multi_order_depthwise_conv2d(inputs, dilations=(1, 2, 3), split=(1, 3, 4)):
        channels = inputs.shape[-1]
        sizes = [channels * s // sum(split) for s in split[1:]]
        first = dw_conv(inputs, 5, dilations[0])
        first, second, third = ops.split(
            first, [channels - sum(sizes), channels - sizes[1]], axis=-1
        )
        second = dw_conv(second, 5, dilations[1])
        third = dw_conv(third, 7, dilations[2])
        out = ops.concatenate([first, second, third], axis=-1)
        return conv(out, channels)

    def moga_block(inputs, mlp_ratio, drop_rate):
        channels = inputs.shape[-1]
        pre_norm = bn(inputs)
        nn = conv(pre_norm, channels)
        nn = feature_decompose(nn, use_pool=True, activation=None)
        nn = layers.Activation("swish")(nn)
        gate = layers.Activation("swish")(conv(nn, channels))
        value = layers.Activation("swish")(multi_order_depthwise_conv2d(nn))
        gate_value = layers.Multiply()([gate, value])
        gate_value = conv(gate_value, channels)
        nn = layers.Add()([pre_norm, gate_value])
        attn_out = add_with_layer_scale_and_drop_block(inputs, nn, drop_rate)

        nn = bn(attn_out)
        nn = conv(nn, channels * mlp_ratio)
        nn = dw_conv(nn, 3)
        nn = layers.Activation("gelu")(nn)
        nn = feature_decompose(nn, activation="gelu")
        nn = conv(nn, channels)
        return add_with_layer_scale_and_drop_block(attn_out, nn, drop_rate)

    out_channels, mlp_ratios = [8, 16, 24, 32], [8, 8, 4, 4]
    drop_connect_rate, total_blocks = 0.1, sum(num_blocks)
    inputs = layers.Input((32, 32, 3))
    nn = bn(conv(inputs, out_channels[0] // 2, 3, strides=2), activation="gelu")
    nn = bn(conv(nn, out_channels[0], 3, strides=2))
    global_block_id = 0
    for stack_id, (num_block, out_channel) in enumerate(
        zip(num_blocks, out_channels, strict=True)
    ):
        if stack_id > 0:
            nn = bn(conv(nn, out_channel, 3, strides=2))
        for _ in range(num_block):
            block_drop_rate = drop_connect_rate * global_block_id / total_blocks
            nn = moga_block(nn, mlp_ratios[stack_id], block_drop_rate)
            global_block_id += 1
        nn = bn(nn)
    if num_classes == 0:  # The source's output_block returns the features.
        return keras.Model(inputs, nn, name="moganet")
    nn = layers.GlobalAveragePooling2D()(nn)
    outputs = layers.Dense(num_classes, activation="softmax")(nn)
    model = keras.Model(inputs, outputs, name="moganet")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
