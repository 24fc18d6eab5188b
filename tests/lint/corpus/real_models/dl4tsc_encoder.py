# ruff: noqa: E501, N802
"""hfawaz/dl-4-tsc Encoder (Serrà et al. 2018): three blocks of Conv1D -> InstanceNormalization -> PReLU -> Dropout(0.2), the first two followed by MaxPooling1D(2); the third block's 512 channels split by two Lambda slices into data and softmax attention weights (a Softmax over the last 256 channels), multiplied, then Dense(256, sigmoid) -> InstanceNormalization -> Flatten -> softmax Dense.

Source: https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/encoder.py (GPL-3.0).
Transcribed: `Classifier_ENCODER.build_model()` unchanged (filters 128 / 256
/ 512, kernels 5 / 11 / 21, `PReLU(shared_axes=[1])`, the two Lambda
slices, `Softmax()`, `Multiply()`), compiled as in the source with
categorical cross-entropy and Adam(0.00001). `tfa.layers.InstanceNormalization()`
(TensorFlow Addons, gone in Keras 3) is written as what it is,
`GroupNormalization(groups=-1)` (one group per channel, axis=-1: the class
TensorFlow Addons derives it from). Input: a univariate series of 64 steps
and 5 classes (the source takes both from its UCR dataset).
"""

SOURCE = "https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/encoder.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Blocks 1 and 2: PReLU -> Dropout(0.2) -> MaxPooling1D(2), elementwise
# dropout before max pooling.
# Block 3: Dropout(0.2) -> Lambda(x[:, :, 256:]) -> Softmax: the dropout's
# zeros go through a pure slice into a softmax, where a dropped score
# becomes exp(0) / sum, not 0 (f(0) != 0).
# The three Conv1D layers keep their bias and feed only an instance
# normalization, which subtracts each channel's mean over time per sample:
# the bias is cancelled exactly, as before a BN.
EXPECTED: dict[str, int] = {"KO105": 2, "KO103": 1, "KO106": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO105": "In conv blocks 1 and 2 an elementwise Dropout(0.2) feeds "
    "MaxPooling1D(2): the max is taken over scaled survivors in training "
    "and over all unscaled values at inference.",
    "KO103": "Block 3's Dropout(0.2) reaches the attention Softmax through "
    "a Lambda that only slices channels: dropped scores become exp(0) "
    "terms of the softmax instead of being dropped.",
    "KO106": "Each Conv1D has use_bias=True and feeds only an instance "
    "normalization (GroupNormalization(groups=-1)), which cancels a "
    "per-channel bias exactly (info).",
}


def build():
    import keras

    input_shape = (64, 1)
    nb_classes = 5

    def InstanceNormalization():
        return keras.layers.GroupNormalization(groups=-1)

    input_layer = keras.layers.Input(input_shape)

    # conv block -1
    conv1 = keras.layers.Conv1D(filters=128, kernel_size=5, strides=1, padding="same")(
        input_layer
    )
    conv1 = InstanceNormalization()(conv1)
    conv1 = keras.layers.PReLU(shared_axes=[1])(conv1)
    conv1 = keras.layers.Dropout(rate=0.2)(conv1)
    conv1 = keras.layers.MaxPooling1D(pool_size=2)(conv1)
    # conv block -2
    conv2 = keras.layers.Conv1D(filters=256, kernel_size=11, strides=1, padding="same")(
        conv1
    )
    conv2 = InstanceNormalization()(conv2)
    conv2 = keras.layers.PReLU(shared_axes=[1])(conv2)
    conv2 = keras.layers.Dropout(rate=0.2)(conv2)
    conv2 = keras.layers.MaxPooling1D(pool_size=2)(conv2)
    # conv block -3
    conv3 = keras.layers.Conv1D(filters=512, kernel_size=21, strides=1, padding="same")(
        conv2
    )
    conv3 = InstanceNormalization()(conv3)
    conv3 = keras.layers.PReLU(shared_axes=[1])(conv3)
    conv3 = keras.layers.Dropout(rate=0.2)(conv3)
    # split for attention
    attention_data = keras.layers.Lambda(lambda x: x[:, :, :256])(conv3)
    attention_softmax = keras.layers.Lambda(lambda x: x[:, :, 256:])(conv3)
    # attention mechanism
    attention_softmax = keras.layers.Softmax()(attention_softmax)
    multiply_layer = keras.layers.Multiply()([attention_softmax, attention_data])
    # last layer
    dense_layer = keras.layers.Dense(units=256, activation="sigmoid")(multiply_layer)
    dense_layer = InstanceNormalization()(dense_layer)
    # output layer
    flatten_layer = keras.layers.Flatten()(dense_layer)
    output_layer = keras.layers.Dense(units=nb_classes, activation="softmax")(
        flatten_layer
    )

    model = keras.models.Model(inputs=input_layer, outputs=output_layer)

    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(0.00001),
        metrics=["accuracy"],
    )
    return model
