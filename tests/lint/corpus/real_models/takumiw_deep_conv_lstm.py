# ruff: noqa: E501
"""takumiw's DeepConvLSTM for human activity recognition (Ordonez & Roggen 2016) on UCI HAR windows: four Conv2D(64, (5, 1)) -> relu layers convolving over time only, a Reshape of (time, sensors, filters) into a sequence, two LSTM(128) each followed by Dropout(0.5), and a Dense -> softmax head.

Source: https://github.com/takumiw/Deep-Learning-for-Human-Activity-Recognition/blob/9e87ec06d4daee6a1fe7818bda9e1ff836c32f35/models/deep_conv_lstm.py (MIT).
Transcribed: `build_model(input_shape=(128, 6, 1), output_dim=6)` as in the
source (layer order, the Reshape((112, 6 * 64)), Dropout seeds,
categorical cross-entropy); `optimizers.Adam(lr=lr)` is `learning_rate`
in Keras 3. Sizes as in the source.
"""

SOURCE = "https://github.com/takumiw/Deep-Learning-for-Human-Activity-Recognition/blob/9e87ec06d4daee6a1fe7818bda9e1ff836c32f35/models/deep_conv_lstm.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: each Dropout follows an LSTM and feeds a weight layer
# (the second LSTM, the Dense logits); no BN; the separate softmax matches
# the categorical cross-entropy; every Conv2D has its relu.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras.layers import LSTM, Activation, Conv2D, Dense, Dropout, Input, Reshape
    from keras.models import Sequential

    input_shape = (128, 6, 1)
    output_dim = 6
    lr = 0.001

    model = Sequential()
    model.add(Input(shape=input_shape))
    model.add(Conv2D(64, kernel_size=(5, 1)))
    model.add(Activation("relu"))
    model.add(Conv2D(64, kernel_size=(5, 1)))
    model.add(Activation("relu"))
    model.add(Conv2D(64, kernel_size=(5, 1)))
    model.add(Activation("relu"))
    model.add(Conv2D(64, kernel_size=(5, 1)))
    model.add(Activation("relu"))
    model.add(Reshape((112, 6 * 64)))
    model.add(LSTM(128, activation="tanh", return_sequences=True))
    model.add(Dropout(0.5, seed=0))
    model.add(LSTM(128, activation="tanh"))
    model.add(Dropout(0.5, seed=1))
    model.add(Dense(output_dim))
    model.add(Activation("softmax"))
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        metrics=["accuracy"],
    )
    return model
