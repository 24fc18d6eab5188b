# ruff: noqa: E501
"""zhixuhao/unet: the original Keras U-Net for ISBI membrane segmentation (two relu Conv2D per level, max pooling, Dropout(0.5) on the two deepest levels, UpSampling2D -> Conv2D(2) "up-convolutions", concatenated skips, a 1x1 sigmoid head).

Source: https://github.com/zhixuhao/unet/blob/3951284d177ddb8a4beb543504caa65351cecd99/model.py (MIT).
Transcribed: `unet(input_size=(256, 256, 1))` in layer order, activations,
kernel initializer, the Dropout(0.5) placements (`drop4` feeds both
`pool4` and the level-4 skip, `drop5` the first up-sampling) and the loss
(binary cross-entropy, Adam) as in the source (`Adam(lr=...)` is
`learning_rate` in Keras 3). Shrunk for CPU speed: 64x64 inputs and every
filter count divided by 4 (64..1024 become 16..256; the head's Conv2D(2)
and Conv2D(1) keep theirs).
"""

SOURCE = "https://github.com/zhixuhao/unet/blob/3951284d177ddb8a4beb543504caa65351cecd99/model.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO104: every relu before a max pooling (conv1..conv3) also feeds a skip
# concatenation, so the pooling is not its only consumer; conv4's relu
# feeds drop4, not the pooling. drop5 feeds UpSampling2D and a convolution:
# not a pooling.
EXPECTED: dict[str, int] = {"KO105": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO105": "drop4 (elementwise Dropout(0.5)) feeds MaxPooling2D pool4 directly: "
    "in training the max is taken over scaled survivors, at inference over all "
    "values (warning, max pooling).",
}


def build():
    import keras
    from keras.layers import (
        Conv2D,
        Dropout,
        Input,
        MaxPooling2D,
        UpSampling2D,
        concatenate,
    )
    from keras.models import Model

    def conv(filters, kernel=3):
        return Conv2D(
            filters,
            kernel,
            activation="relu",
            padding="same",
            kernel_initializer="he_normal",
        )

    inputs = Input((64, 64, 1))
    conv1 = conv(16)(inputs)
    conv1 = conv(16)(conv1)
    pool1 = MaxPooling2D(pool_size=(2, 2))(conv1)
    conv2 = conv(32)(pool1)
    conv2 = conv(32)(conv2)
    pool2 = MaxPooling2D(pool_size=(2, 2))(conv2)
    conv3 = conv(64)(pool2)
    conv3 = conv(64)(conv3)
    pool3 = MaxPooling2D(pool_size=(2, 2))(conv3)
    conv4 = conv(128)(pool3)
    conv4 = conv(128)(conv4)
    drop4 = Dropout(0.5)(conv4)
    pool4 = MaxPooling2D(pool_size=(2, 2))(drop4)

    conv5 = conv(256)(pool4)
    conv5 = conv(256)(conv5)
    drop5 = Dropout(0.5)(conv5)

    up6 = conv(128, 2)(UpSampling2D(size=(2, 2))(drop5))
    merge6 = concatenate([drop4, up6], axis=3)
    conv6 = conv(128)(merge6)
    conv6 = conv(128)(conv6)

    up7 = conv(64, 2)(UpSampling2D(size=(2, 2))(conv6))
    merge7 = concatenate([conv3, up7], axis=3)
    conv7 = conv(64)(merge7)
    conv7 = conv(64)(conv7)

    up8 = conv(32, 2)(UpSampling2D(size=(2, 2))(conv7))
    merge8 = concatenate([conv2, up8], axis=3)
    conv8 = conv(32)(merge8)
    conv8 = conv(32)(conv8)

    up9 = conv(16, 2)(UpSampling2D(size=(2, 2))(conv8))
    merge9 = concatenate([conv1, up9], axis=3)
    conv9 = conv(16)(merge9)
    conv9 = conv(16)(conv9)
    conv9 = conv(2)(conv9)
    conv10 = Conv2D(1, 1, activation="sigmoid")(conv9)

    model = Model(inputs=inputs, outputs=conv10)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
