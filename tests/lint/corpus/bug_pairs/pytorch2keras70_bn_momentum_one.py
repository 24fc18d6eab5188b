"""A converted PyTorch model whose BatchNormalization has momentum=1.

The bug: pytorch2keras turns `BatchNorm2d` into a Keras
`BatchNormalization` with `momentum=1.0`. Keras updates `moving = momentum
* moving + (1 - momentum) * batch`, so the moving mean and variance never
leave their initial 0 and 1: inference normalizes with statistics that
were never measured, and the converted model's predictions are wrong
(the report sees NaN after training).
Transcribed as a minimal converted block (channels-first zero padding,
Conv2D, BatchNormalization(axis=1, epsilon=1e-5), ReLU) on 1 x 8 x 8
inputs; the fix is PyTorch's default momentum 0.1 in Keras' convention,
0.9.
"""

SOURCE = "https://github.com/gmalivenko/pytorch2keras/issues/70"
RULE = "KO112"


def _build(momentum: float):
    import keras

    model = keras.Sequential(
        [
            keras.Input((1, 8, 8)),
            keras.layers.ZeroPadding2D(1, data_format="channels_first", name="pad"),
            keras.layers.Conv2D(
                2, 2, data_format="channels_first", use_bias=False, name="conv"
            ),
            keras.layers.BatchNormalization(
                axis=1, momentum=momentum, epsilon=1e-5, name="bn"
            ),
            keras.layers.ReLU(name="relu"),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    return model


def build_buggy():
    return _build(1.0)


def build_fixed():
    return _build(0.9)
