# ruff: noqa: E501
"""lidbox x-vector TDNN for spoken language identification: Conv1D(relu) -> BatchNormalization(axis=1) frame layers, mean/stddev pooling, Dense(relu) -> BN segment layers, log_softmax output trained with a from_logits=True loss.

Source: https://github.com/py-lidbox/lidbox/blob/07092790ec4296efccf3dd28a7c44ccf96e31afc/lidbox/models/xvector.py (MIT).
Transcribed: `loader(input_shape=[96, 64], num_outputs=4)` with the default
output_activation="log_softmax" and the loss of the repository's
examples/common-voice/config.xvector.yaml (CategoricalCrossentropy with
from_logits: true); the FrameLayer/SegmentLayer wrappers inlined as the
layers they call (BN axis=TIME_AXIS=1 as in the source), the
GlobalMeanStddevPooling1D layer written with keras.ops; filters divided by
16 (32 and 96 instead of 512 and 1500, segments 32 instead of 512).
"""

SOURCE = "https://github.com/py-lidbox/lidbox/blob/07092790ec4296efccf3dd28a7c44ccf96e31afc/lidbox/models/xvector.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 7, "KO111": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Every frame layer is Conv1D(activation='relu') -> BN and every "
    "segment layer Dense(activation='relu') -> BN: the 7 BNs normalize rectified "
    "values (info).",
    "KO111": "The 5 frame-layer BNs use axis=1, the time axis of their (batch, "
    "time, channels) input, so they keep statistics per time step, not per "
    "channel.",
}


def stats_pooling(x):
    from keras import ops

    means = ops.mean(x, axis=1)
    stddevs = ops.sqrt(ops.clip(ops.var(x, axis=1), 0.0, 3.4e38))
    return ops.concatenate([means, stddevs], axis=1)


def build():
    import keras
    from keras.layers import Activation, BatchNormalization, Conv1D, Dense, Input

    def frame_layer(x, filters, kernel_size, strides, name):
        x = Conv1D(
            filters,
            kernel_size,
            strides=strides,
            activation="relu",
            padding="causal",
            name=f"{name}_conv",
        )(x)
        return BatchNormalization(axis=1, name=f"{name}_bn")(x)

    def segment_layer(x, units, name):
        x = Dense(units, activation="relu", name=f"{name}_dense")(x)
        return BatchNormalization(name=f"{name}_bn")(x)

    inputs = Input(shape=(96, 64), name="input")
    x = frame_layer(inputs, 32, 5, 1, name="frame1")
    x = frame_layer(x, 32, 3, 2, name="frame2")
    x = frame_layer(x, 32, 3, 3, name="frame3")
    x = frame_layer(x, 32, 1, 1, name="frame4")
    x = frame_layer(x, 96, 1, 1, name="frame5")
    x = stats_pooling(x)
    x = segment_layer(x, 32, name="segment1")
    x = segment_layer(x, 32, name="segment2")
    outputs = Dense(4, name="output", activation=None)(x)
    outputs = Activation("log_softmax", name="log_softmax")(outputs)
    model = keras.Model(inputs=inputs, outputs=outputs, name="x-vector")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    return model
