"""Models Genesis #8: a channels-first 3D segmentation head with softmax over the width.

The bug: the README's segmentation recipe sets
`K.set_image_data_format("channels_first")`, so the final convolution is
`B x C x D x H x W`, and then applies `Activation('softmax')`, whose
default axis -1 is the W axis, "which is usually not what people want";
the maintainer confirmed the bug and updated the README. Transcribed: a
small channels-first 3D encoder-decoder of the recipe's kind (Conv3D 8 ->
MaxPooling3D -> Conv3D 16 -> UpSampling3D -> Conv3D 8, then the 1x1x1
`final_convolution` with num_class=3 channels) on a 1x32x32x16 volume,
compiled with categorical cross-entropy over the channel axis as a
channels-first segmentation loss would be; the fix normalizes over the
channels with `Softmax(axis=1)`.
"""

SOURCE = "https://github.com/MrGiovanni/ModelsGenesis/pull/8"
RULE = "KO204"


def _build(fixed: bool):
    import keras

    cf = {"data_format": "channels_first"}
    inputs = keras.Input((1, 32, 32, 16), name="volume")
    x = keras.layers.Conv3D(8, 3, padding="same", activation="relu", **cf)(inputs)
    x = keras.layers.MaxPooling3D(2, **cf)(x)
    x = keras.layers.Conv3D(16, 3, padding="same", activation="relu", **cf)(x)
    x = keras.layers.UpSampling3D(2, **cf)(x)
    x = keras.layers.Conv3D(8, 3, padding="same", activation="relu", **cf)(x)
    x = keras.layers.Conv3D(3, 1, name="final_convolution", **cf)(x)
    if fixed:
        outputs = keras.layers.Softmax(axis=1, name="softmax")(x)
    else:
        outputs = keras.layers.Activation("softmax", name="softmax")(x)
    model = keras.Model(inputs, outputs, name="models_genesis_segmentation")
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(axis=1))
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
