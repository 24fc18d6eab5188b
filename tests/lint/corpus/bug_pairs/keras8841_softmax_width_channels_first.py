"""keras-team/keras #8841: channels-first heads whose softmax ran over the width.

The fix: the `Softmax` layer was added so that its `axis` can be set,
because "when you are using channels_first, the softmax will be applied
over the width axis (in the case of the common NCHW formatting)" by the
default `activation="softmax"` (axis -1). Transcribed: a small
channels-first fully convolutional segmenter (Conv2D 16 relu -> Conv2D 16
relu -> a 1x1 Conv2D with 4 class channels and `activation="softmax"`) on
3x64x64 images; the fix moves the softmax to `Softmax(axis=1)` after a
linear 1x1 convolution.
"""

SOURCE = "https://github.com/keras-team/keras/pull/8841"
RULE = "KO204"


def _build(fixed: bool):
    import keras

    cf = {"data_format": "channels_first", "padding": "same"}
    inputs = keras.Input((3, 64, 64), name="image")
    x = keras.layers.Conv2D(16, 3, activation="relu", name="conv1", **cf)(inputs)
    x = keras.layers.Conv2D(16, 3, activation="relu", name="conv2", **cf)(x)
    if fixed:
        x = keras.layers.Conv2D(4, 1, name="classes", **cf)(x)
        outputs = keras.layers.Softmax(axis=1, name="softmax")(x)
    else:
        outputs = keras.layers.Conv2D(4, 1, activation="softmax", name="classes", **cf)(
            x
        )
    return keras.Model(inputs, outputs, name="fcn_channels_first")


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
