# ruff: noqa: E501
"""qjadud1994/CRNN-Keras: a CRNN for license-plate OCR: a VGG-style stack of Conv2D -> BN -> relu (max pooling of 2x2, then 1x2), reshaped to 32 time steps, Dense(64, relu), two bidirectional LSTM layers built from forward / go_backwards LSTM pairs (added, BN, then concatenated), Dense(num_classes) -> softmax for CTC.

Source: https://github.com/qjadud1994/CRNN-Keras/blob/7bea8008f3d4d35cf6289e6ce6139697e5c87769/Model.py (MIT), with parameter.py at the same commit.
Transcribed: `get_Model(training=False)`, the prediction model (image ->
per-step character softmax; the training model adds label inputs and a
Lambda computing the CTC loss, which needs integer label inputs) with the
source's sizes: (128, 64, 1) images, 42 classes (41 characters + blank),
layer order, initializers and biases as in the source (`add` /
`concatenate` are the Keras 3 functions). The source does not compile the
prediction model; neither does this file. The source's
`lstm_merged = BatchNormalization()(lstm2_merged)` is never used (dense2
reads `lstm2_merged`), so Keras leaves it out of the graph; it is kept
here as written.
"""

SOURCE = "https://github.com/qjadud1994/CRNN-Keras/blob/7bea8008f3d4d35cf6289e6ce6139697e5c87769/Model.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The go_backwards LSTMs return their sequence reversed in time and are
# added to the forward ones unreversed (a real bug, but no rule's scope).
# The BN after add([lstm_1, lstm_1b]) normalizes LSTM outputs through a
# merge: KO102 looks through shape-only, pooling and noise layers only.
EXPECTED: dict[str, int] = {"KO104": 4, "KO106": 7}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The relus after conv1, conv2, conv4 and conv6 feed only a max "
    "pooling that shrinks its input (2x2, then 1x2): pooling first gives "
    "the same output with less work (info).",
    "KO106": "All 7 convolutions (conv1..conv6, con7) keep the default bias and "
    "feed only a BatchNormalization, which cancels it (info).",
}


def build():
    from keras.layers import (
        LSTM,
        Activation,
        BatchNormalization,
        Conv2D,
        Dense,
        Input,
        MaxPooling2D,
        Reshape,
        add,
        concatenate,
    )
    from keras.models import Model

    num_classes = len("adefghjknqrstwABCDEFGHIJKLMNOPZ0123456789") + 1
    img_w, img_h = 128, 64
    input_shape = (img_w, img_h, 1)
    inputs = Input(name="the_input", shape=input_shape, dtype="float32")

    def conv_bn_relu(x, filters, kernel, name, initializer="he_normal"):
        x = Conv2D(
            filters,
            kernel,
            padding="same",
            name=name,
            kernel_initializer=initializer,
        )(x)
        x = BatchNormalization()(x)
        return Activation("relu")(x)

    inner = conv_bn_relu(inputs, 64, (3, 3), "conv1")
    inner = MaxPooling2D(pool_size=(2, 2), name="max1")(inner)
    inner = conv_bn_relu(inner, 128, (3, 3), "conv2")
    inner = MaxPooling2D(pool_size=(2, 2), name="max2")(inner)
    inner = conv_bn_relu(inner, 256, (3, 3), "conv3")
    inner = conv_bn_relu(inner, 256, (3, 3), "conv4")
    inner = MaxPooling2D(pool_size=(1, 2), name="max3")(inner)
    inner = conv_bn_relu(inner, 512, (3, 3), "conv5")
    inner = conv_bn_relu(inner, 512, (3, 3), "conv6", initializer="glorot_uniform")
    inner = MaxPooling2D(pool_size=(1, 2), name="max4")(inner)
    inner = conv_bn_relu(inner, 512, (2, 2), "con7")

    inner = Reshape(target_shape=((32, 2048)), name="reshape")(inner)
    inner = Dense(64, activation="relu", kernel_initializer="he_normal", name="dense1")(
        inner
    )

    lstm_1 = LSTM(
        256, return_sequences=True, kernel_initializer="he_normal", name="lstm1"
    )(inner)
    lstm_1b = LSTM(
        256,
        return_sequences=True,
        go_backwards=True,
        kernel_initializer="he_normal",
        name="lstm1_b",
    )(inner)
    lstm1_merged = add([lstm_1, lstm_1b])
    lstm1_merged = BatchNormalization()(lstm1_merged)
    lstm_2 = LSTM(
        256, return_sequences=True, kernel_initializer="he_normal", name="lstm2"
    )(lstm1_merged)
    lstm_2b = LSTM(
        256,
        return_sequences=True,
        go_backwards=True,
        kernel_initializer="he_normal",
        name="lstm2_b",
    )(lstm1_merged)
    lstm2_merged = concatenate([lstm_2, lstm_2b])
    lstm_merged = BatchNormalization()(lstm2_merged)  # noqa: F841 (unused in the source)

    inner = Dense(num_classes, kernel_initializer="he_normal", name="dense2")(
        lstm2_merged
    )
    y_pred = Activation("softmax", name="softmax")(inner)
    return Model(inputs=[inputs], outputs=y_pred)
