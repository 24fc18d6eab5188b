"""keras-deeplab-v3-plus: `Dropout(0.9)` for the original's `keep_prob=0.9`.

The bug: the TensorFlow DeepLab decoder applies `slim.dropout(concat_logits,
keep_prob=0.9)` after the concat projection; the Keras port wrote
`Dropout(0.9)`, which drops 90% instead of 10%. The author fixed it to
`Dropout(0.1)`. Transcribed: the concat projection (1x1 Conv -> BN -> ReLU
-> Dropout) on concatenated ASPP branches and the logits convolution, sizes
illustrative.
"""

SOURCE = "https://github.com/bonlime/keras-deeplab-v3-plus/issues/4"
RULE = "KO113"


def _build(rate: float):
    import keras

    inputs = keras.Input((16, 16, 64), name="features")
    branches = [
        keras.layers.Conv2D(32, 1, use_bias=False, name=f"aspp{i}")(inputs)
        for i in range(3)
    ]
    x = keras.layers.Concatenate(name="concat")(branches)
    x = keras.layers.Conv2D(32, 1, use_bias=False, name="concat_projection")(x)
    x = keras.layers.BatchNormalization(epsilon=1e-5, name="concat_projection_BN")(x)
    x = keras.layers.Activation("relu", name="concat_projection_relu")(x)
    x = keras.layers.Dropout(rate, name="concat_projection_dropout")(x)
    x = keras.layers.Conv2D(21, 1, name="logits_semantic")(x)
    return keras.Model(inputs, x, name="deeplab_decoder")


def build_buggy():
    return _build(rate=0.9)


def build_fixed():
    return _build(rate=0.1)
