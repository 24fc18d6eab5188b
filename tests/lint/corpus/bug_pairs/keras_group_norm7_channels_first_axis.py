"""Keras-Group-Normalization #7: GroupNormalization after channels-first Conv3D.

The report: a 3D network's convolutions are channels first, `(batch, C, D,
H, W)`, and the user asks whether GroupNormalization must then be given
`axis=1`; the maintainer confirms it. Left at its default `axis=-1`, the
groups are cut along the width axis, not the channels. Transcribed: a
channels-first Conv3D(16, 3) -> GroupNormalization(groups=4) -> ReLU block,
twice, on a 1x16x16x16 volume, global pooling and a softmax head over 2
classes (layer sizes illustrative); the fix sets `axis=1`.
"""

SOURCE = "https://github.com/titu1994/Keras-Group-Normalization/issues/7"
RULE = "KO114"


def _build(axis: int):
    import keras

    layers = [keras.Input((1, 16, 16, 16))]
    for index in (1, 2):
        layers += [
            keras.layers.Conv3D(
                16,
                3,
                padding="same",
                data_format="channels_first",
                name=f"conv{index}",
            ),
            keras.layers.GroupNormalization(groups=4, axis=axis, name=f"gn{index}"),
            keras.layers.ReLU(name=f"relu{index}"),
        ]
    layers += [
        keras.layers.GlobalAveragePooling3D(data_format="channels_first", name="gap"),
        keras.layers.Dense(2, activation="softmax", name="probs"),
    ]
    model = keras.Sequential(layers, name="group_norm_3d")
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
