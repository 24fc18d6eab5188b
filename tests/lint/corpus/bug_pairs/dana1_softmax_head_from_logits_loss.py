"""A softmax-headed ConvLSTM for activity recognition under a from_logits loss.

The report: DANA's baseline `Ordonez2016DeepOriginal` (DeepConvLSTM) ends
in `Dense(out_shape, activation='softmax')`, and the notebooks train it
with `SparseCategoricalCrossentropy(from_logits=True)`, so the loss
applies a second softmax to probabilities. The maintainer's fix (the
notebooks and README, the same day) switches the loss to
`from_logits=False`. Transcribed: four Conv2D(64, (5, 1), relu, valid) on
UCI-HAR windows of 128 steps x 9 sensor channels x 1 -> Reshape((112,
576)) -> LSTM(128, return_sequences) -> Dropout(0.5) -> LSTM(128) ->
Dropout(0.5) -> Dense(6, softmax), compiled (instead of DANA's trainer)
with that loss and Adam.
"""

SOURCE = "https://github.com/mmalekzadeh/dana/issues/1"
RULE = "KO202"


def _build(from_logits: bool):
    import keras
    from keras.layers import LSTM, Conv2D, Dense, Dropout, Input, Reshape

    nb_filters = 64
    drp_out_dns = 0.5
    nb_dense = 128

    inp = Input((128, 9, 1))
    x = Conv2D(nb_filters, kernel_size=(5, 1), padding="valid", activation="relu")(inp)
    for _ in range(3):
        x = Conv2D(nb_filters, kernel_size=(5, 1), padding="valid", activation="relu")(
            x
        )
    x = Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
    act = LSTM(nb_dense, return_sequences=True, activation="tanh", name="lstm_1")(x)
    act = Dropout(drp_out_dns, name="dot_1")(act)
    act = LSTM(nb_dense, activation="tanh", name="lstm_2")(act)
    act = Dropout(drp_out_dns, name="dot_2")(act)
    out_act = Dense(6, activation="softmax", name="act_smx")(act)
    model = keras.Model(inputs=inp, outputs=out_act)
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        optimizer=keras.optimizers.Adam(),
    )
    return model


def build_buggy():
    return _build(True)


def build_fixed():
    return _build(False)
