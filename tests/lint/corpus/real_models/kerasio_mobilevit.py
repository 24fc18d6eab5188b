# ruff: noqa: E501
"""keras-io "MobileViT: A mobile-friendly Transformer-based model for image classification": Rescaling, swish conv stem, MobileNetV2 inverted residual blocks (1x1 conv -> BN -> swish, depthwise conv -> BN -> swish, 1x1 conv -> BN, Add), MobileViT blocks (swish convs, pre-norm transformer with attention dropout and swish MLP + Dropout, fold and fuse), GlobalAvgPool2D -> Dense softmax.

Source: https://github.com/keras-team/keras-io/blob/b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/mobilevit.py (Apache-2.0).
Transcribed: `conv_block()`, `inverted_residual_block()`, `mlp()`,
`transformer_block()`, `mobilevit_block()` and `create_mobilevit()` (XXS)
unchanged in Keras 3 spelling (`tf.nn.swish` as `Activation("swish")` or
`activation="swish"`, `imagenet_utils.correct_pad` as its value for stride 2
on an even input, ((0, 1), (0, 1))); input 64x64 instead of 256x256, so the
last MobileViT block folds 4x4 maps; compiled as in the source with Adam(0.002)
and CategoricalCrossentropy(label_smoothing=0.1).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/b8bb4c0d5068d64290003740c2ef9e703eefa751/examples/vision/mobilevit.py"
# Building ~1M weights and nine transformer layers takes a few seconds.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: every BN follows a bias-free convolution and precedes the
# swish, the dropouts follow swish Dense layers and feed weight layers or the
# residual Adds, and the softmax head matches its categorical loss.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    image_size = 64
    patch_size = 4
    expansion_factor = 2

    def conv_block(x, filters=16, kernel_size=3, strides=2):
        conv_layer = layers.Conv2D(
            filters, kernel_size, strides=strides, activation="swish", padding="same"
        )
        return conv_layer(x)

    def inverted_residual_block(x, expanded_channels, output_channels, strides=1):
        m = layers.Conv2D(expanded_channels, 1, padding="same", use_bias=False)(x)
        m = layers.BatchNormalization()(m)
        m = layers.Activation("swish")(m)

        if strides == 2:
            m = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(m)
        m = layers.DepthwiseConv2D(
            3,
            strides=strides,
            padding="same" if strides == 1 else "valid",
            use_bias=False,
        )(m)
        m = layers.BatchNormalization()(m)
        m = layers.Activation("swish")(m)

        m = layers.Conv2D(output_channels, 1, padding="same", use_bias=False)(m)
        m = layers.BatchNormalization()(m)

        if x.shape[-1] == output_channels and strides == 1:
            return layers.Add()([m, x])
        return m

    def mlp(x, hidden_units, dropout_rate):
        for units in hidden_units:
            x = layers.Dense(units, activation="swish")(x)
            x = layers.Dropout(dropout_rate)(x)
        return x

    def transformer_block(x, transformer_layers, projection_dim, num_heads=2):
        for _ in range(transformer_layers):
            x1 = layers.LayerNormalization(epsilon=1e-6)(x)
            attention_output = layers.MultiHeadAttention(
                num_heads=num_heads, key_dim=projection_dim, dropout=0.1
            )(x1, x1)
            x2 = layers.Add()([attention_output, x])
            x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
            x3 = mlp(
                x3,
                hidden_units=[x.shape[-1] * 2, x.shape[-1]],
                dropout_rate=0.1,
            )
            x = layers.Add()([x3, x2])
        return x

    def mobilevit_block(x, num_blocks, projection_dim, strides=1):
        local_features = conv_block(x, filters=projection_dim, strides=strides)
        local_features = conv_block(
            local_features, filters=projection_dim, kernel_size=1, strides=strides
        )
        num_patches = int(
            (local_features.shape[1] * local_features.shape[2]) / patch_size
        )
        non_overlapping_patches = layers.Reshape(
            (patch_size, num_patches, projection_dim)
        )(local_features)
        global_features = transformer_block(
            non_overlapping_patches, num_blocks, projection_dim
        )
        folded_feature_map = layers.Reshape(
            (*local_features.shape[1:-1], projection_dim)
        )(global_features)
        folded_feature_map = conv_block(
            folded_feature_map, filters=x.shape[-1], kernel_size=1, strides=strides
        )
        local_global_features = layers.Concatenate(axis=-1)([x, folded_feature_map])
        local_global_features = conv_block(
            local_global_features, filters=projection_dim, strides=strides
        )
        return local_global_features

    def create_mobilevit(num_classes=5):
        inputs = keras.Input((image_size, image_size, 3))
        x = layers.Rescaling(scale=1.0 / 255)(inputs)

        x = conv_block(x, filters=16)
        x = inverted_residual_block(
            x, expanded_channels=16 * expansion_factor, output_channels=16
        )

        x = inverted_residual_block(
            x, expanded_channels=16 * expansion_factor, output_channels=24, strides=2
        )
        x = inverted_residual_block(
            x, expanded_channels=24 * expansion_factor, output_channels=24
        )
        x = inverted_residual_block(
            x, expanded_channels=24 * expansion_factor, output_channels=24
        )

        x = inverted_residual_block(
            x, expanded_channels=24 * expansion_factor, output_channels=48, strides=2
        )
        x = mobilevit_block(x, num_blocks=2, projection_dim=64)

        x = inverted_residual_block(
            x, expanded_channels=64 * expansion_factor, output_channels=64, strides=2
        )
        x = mobilevit_block(x, num_blocks=4, projection_dim=80)

        x = inverted_residual_block(
            x, expanded_channels=80 * expansion_factor, output_channels=80, strides=2
        )
        x = mobilevit_block(x, num_blocks=3, projection_dim=96)
        x = conv_block(x, filters=320, kernel_size=1, strides=1)

        x = layers.GlobalAvgPool2D()(x)
        outputs = layers.Dense(num_classes, activation="softmax")(x)
        return keras.Model(inputs, outputs)

    model = create_mobilevit(num_classes=5)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.002),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
    )
    return model
