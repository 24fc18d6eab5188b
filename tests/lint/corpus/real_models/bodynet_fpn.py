# ruff: noqa: E501
"""bodynet's Feature Pyramid Network: per level a biased 1x1 Conv2D -> BatchNormalization -> mish lateral, bilinear UpSampling2D and Add; the model outputs the top-down features.

Source: https://github.com/LorBordin/bodynet/blob/2764871144e5c7c19d773dcf2502a1ddfb8d0104/bodypose/training/architecture/fpn.py (no license file in the repository).
Transcribed: `create_FPN(inputs, in_channels)` as in the source's
`__main__` (inputs 13x13, 26x26 and 52x52), with channels divided by 8
(160/72/24 inputs, 16 outputs) and Keras' built-in "mish" instead of
tensorflow_addons' mish; not compiled (the source returns it as a
component).
"""

SOURCE = "https://github.com/LorBordin/bodynet/blob/2764871144e5c7c19d773dcf2502a1ddfb8d0104/bodypose/training/architecture/fpn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the 3 lateral Conv2D keeps use_bias=True and feeds only a "
    "BN, which cancels the bias.",
}


def build():
    import keras
    from keras import layers
    from keras.regularizers import l2

    def create_fpn(inputs, in_channels, activation="mish", name="FPN"):
        first_head = True
        for i, in_layer in enumerate(inputs):
            y = layers.Conv2D(
                in_channels,
                (1, 1),
                kernel_regularizer=l2(1e-4),
                name=name + f"_Conv{i + 1}",
            )(in_layer)
            y = layers.BatchNormalization(
                momentum=0.9, epsilon=2e-5, name=name + f"_bn_Conv{i + 1}"
            )(y)
            y = layers.Activation(activation, name=name + f"_Conv{i + 1}_act")(y)
            if first_head:
                x = y
                first_head = False
            else:
                x = layers.UpSampling2D(
                    (2, 2), interpolation="bilinear", name=name + f"_UpSamp{i + 1}"
                )(x)
                x = layers.Add(name=name + f"_Add{i + 1}")([x, y])
        return keras.Model(inputs, x)

    inputs = [
        layers.Input((13, 13, 160)),
        layers.Input((26, 26, 72)),
        layers.Input((52, 52, 24)),
    ]
    return create_fpn(inputs, 16)
