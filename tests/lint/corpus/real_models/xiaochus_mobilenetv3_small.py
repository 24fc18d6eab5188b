# ruff: noqa: E501
"""xiaochus/MobileNetV3 MobileNetV3-Small: a Conv2D -> BN -> hard-swish stem, 11 bottlenecks (1x1 expansion conv -> BN -> relu6 / hard-swish, DepthwiseConv2D -> BN -> activation, an optional squeeze-and-excitation gate, 1x1 projection conv -> BN, a residual Add when the shape allows), a 1x1 Conv2D(576) -> BN -> hard-swish, global average pooling, a 1x1 Conv2D(1280) -> hard-swish and a 1x1 softmax convolution.

Source: https://github.com/xiaochus/MobileNetV3/blob/225fc1176e8acfd407e111cfdf282ec6b65594aa/model/mobilenet_v3_small.py (MIT), with model/mobilenet_base.py (commit 6a032dd4e8cb96b5f5116b8a61fe4f65e06288b1) and train_cls.py (commit 7f1185cf364fbda84114bf7a9876c486fd11f841, the compile).
Transcribed: `MobileNetV3_Small(shape, n_class).build()` with the layer order,
kernel sizes, expansions, strides and biases (all default, so biased) of the
source. Three changes for Keras 3: the source's custom `_relu6`
(`K.relu(x, max_value=6)`) and `_hard_swish` (`x * relu6(x + 3) / 6`) are
the built-in "relu6" and "hard_swish", the same functions; its
`Lambda(lambda x: x * self._squeeze(x))` creates the SE layers inside a
Lambda (Keras 3 cannot, and Keras 2 never tracked their weights), so the
gate is written as the same layers (GlobalAveragePooling2D ->
Dense(relu) -> Dense(hard_sigmoid) -> Reshape) and a Multiply. Compiled
as train_cls.py does (categorical cross-entropy, Adam). Shrunk for CPU
speed: 64x64 inputs and 10 classes.
"""

SOURCE = "https://github.com/xiaochus/MobileNetV3/blob/225fc1176e8acfd407e111cfdf282ec6b65594aa/model/mobilenet_v3_small.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The head's Conv2D(1280) is followed by hard-swish, not directly by the
# classifier convolution: no missing nonlinearity.
EXPECTED: dict[str, int] = {"KO106": 35}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Every convolution before a BN keeps its default bias: 13 Conv2D "
    "of _conv_block (the stem, 11 expansions, the 576 head conv), 11 "
    "DepthwiseConv2D and 11 projection Conv2D; the BN cancels each bias (info).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        Add,
        BatchNormalization,
        Conv2D,
        Dense,
        DepthwiseConv2D,
        GlobalAveragePooling2D,
        Input,
        Multiply,
        Reshape,
    )
    from keras.models import Model

    channel_axis = -1

    def return_activation(x, nl):
        if nl == "HS":
            x = Activation("hard_swish")(x)
        if nl == "RE":
            x = Activation("relu6")(x)
        return x

    def conv_block(inputs, filters, kernel, strides, nl):
        x = Conv2D(filters, kernel, padding="same", strides=strides)(inputs)
        x = BatchNormalization(axis=channel_axis)(x)
        return return_activation(x, nl)

    def squeeze(inputs):
        input_channels = int(inputs.shape[-1])
        x = GlobalAveragePooling2D()(inputs)
        x = Dense(input_channels, activation="relu")(x)
        x = Dense(input_channels, activation="hard_sigmoid")(x)
        return Reshape((1, 1, input_channels))(x)

    def bottleneck(inputs, filters, kernel, e, s, use_squeeze, nl):
        tchannel = e
        r = s == 1 and inputs.shape[3] == filters
        x = conv_block(inputs, tchannel, (1, 1), (1, 1), nl)
        x = DepthwiseConv2D(kernel, strides=(s, s), depth_multiplier=1, padding="same")(
            x
        )
        x = BatchNormalization(axis=channel_axis)(x)
        x = return_activation(x, nl)
        if use_squeeze:
            x = Multiply()([x, squeeze(x)])
        x = Conv2D(filters, (1, 1), strides=(1, 1), padding="same")(x)
        x = BatchNormalization(axis=channel_axis)(x)
        if r:
            x = Add()([x, inputs])
        return x

    n_class = 10
    inputs = Input(shape=(64, 64, 3))
    x = conv_block(inputs, 16, (3, 3), strides=(2, 2), nl="HS")
    x = bottleneck(x, 16, (3, 3), e=16, s=2, use_squeeze=True, nl="RE")
    x = bottleneck(x, 24, (3, 3), e=72, s=2, use_squeeze=False, nl="RE")
    x = bottleneck(x, 24, (3, 3), e=88, s=1, use_squeeze=False, nl="RE")
    x = bottleneck(x, 40, (5, 5), e=96, s=2, use_squeeze=True, nl="HS")
    x = bottleneck(x, 40, (5, 5), e=240, s=1, use_squeeze=True, nl="HS")
    x = bottleneck(x, 40, (5, 5), e=240, s=1, use_squeeze=True, nl="HS")
    x = bottleneck(x, 48, (5, 5), e=120, s=1, use_squeeze=True, nl="HS")
    x = bottleneck(x, 48, (5, 5), e=144, s=1, use_squeeze=True, nl="HS")
    x = bottleneck(x, 96, (5, 5), e=288, s=2, use_squeeze=True, nl="HS")
    x = bottleneck(x, 96, (5, 5), e=576, s=1, use_squeeze=True, nl="HS")
    x = bottleneck(x, 96, (5, 5), e=576, s=1, use_squeeze=True, nl="HS")
    x = conv_block(x, 576, (1, 1), strides=(1, 1), nl="HS")
    x = GlobalAveragePooling2D()(x)
    x = Reshape((1, 1, 576))(x)
    x = Conv2D(1280, (1, 1), padding="same")(x)
    x = return_activation(x, "HS")
    x = Conv2D(n_class, (1, 1), padding="same", activation="softmax")(x)
    output = Reshape((n_class,))(x)
    model = Model(inputs, output)
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        metrics=["accuracy"],
    )
    return model
