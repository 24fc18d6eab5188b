"""Credit-card fraud autoencoder #1: a ReLU reconstruction of features that go negative.

The bug: the autoencoder's decoder ends in
`Dense(input_dim, activation='relu')` and is trained with mean squared
error to reconstruct the standardized transaction features, "however, the
csv file contains negative values which relu cannot represent". Transcribed
as in the notebook: 29 input features, Dense(14, tanh, L1 activity
regularizer) -> Dense(7, relu) -> Dense(7, tanh) -> Dense(29, relu),
compiled with MSE; the fix reconstructs with a linear output.
"""

SOURCE = (
    "https://github.com/curiousily/"
    "Credit-Card-Fraud-Detection-using-Autoencoders-in-Keras/issues/1"
)
RULE = "KO205"


def _build(output_activation):
    import keras

    input_dim, encoding_dim = 29, 14
    inputs = keras.Input((input_dim,), name="input_layer")
    encoder = keras.layers.Dense(
        encoding_dim,
        activation="tanh",
        activity_regularizer=keras.regularizers.l1(10e-5),
        name="encoder_1",
    )(inputs)
    encoder = keras.layers.Dense(
        encoding_dim // 2, activation="relu", name="encoder_2"
    )(encoder)
    decoder = keras.layers.Dense(
        encoding_dim // 2, activation="tanh", name="decoder_1"
    )(encoder)
    decoder = keras.layers.Dense(
        input_dim, activation=output_activation, name="decoder_2"
    )(decoder)
    model = keras.Model(inputs, decoder, name="fraud_autoencoder")
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


def build_buggy():
    return _build("relu")


def build_fixed():
    return _build(None)
