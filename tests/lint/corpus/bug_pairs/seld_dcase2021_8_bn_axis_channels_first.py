"""SELDnet's CNN runs channels-first but leaves BatchNormalization on axis -1.

The report: the DCASE 2021 SELD baseline sets
`keras.backend.set_image_data_format('channels_first')` and builds
Conv2D -> BatchNormalization() -> ReLU -> MaxPooling2D -> Dropout blocks,
so BN normalizes the last axis, the 64 mel bands, not the 64 filters; the
maintainer: "this seems to be a mistake". Transcribed from `keras_model.py`
with the default parameters (mic dataset: 10 channels of 300 frames x 64 mel
bands, three conv blocks of 64 filters pooled (5, 4), (1, 4), (1, 2), two
bidirectional GRU(128) layers merged by product, TimeDistributed Dense(128)
-> Dropout -> Dense(36) -> tanh, the ACCDOA output, under MSE), with
`data_format="channels_first"` on each layer in place of the global
setting; the fix is `BatchNormalization(axis=1)`.
"""

SOURCE = "https://github.com/sharathadavanne/seld-dcase2021/issues/8"
RULE = "KO111"


def _build(axis: int):
    import keras
    from keras import layers

    channels_first = "channels_first"
    spec_start = keras.Input((10, 300, 64), name="spec_start")
    spec_cnn = spec_start
    for index, (t_pool, f_pool) in enumerate(((5, 4), (1, 4), (1, 2)), start=1):
        spec_cnn = layers.Conv2D(
            64, (3, 3), padding="same", data_format=channels_first, name=f"conv{index}"
        )(spec_cnn)
        spec_cnn = layers.BatchNormalization(axis=axis, name=f"bn{index}")(spec_cnn)
        spec_cnn = layers.Activation("relu", name=f"relu{index}")(spec_cnn)
        spec_cnn = layers.MaxPooling2D(
            pool_size=(t_pool, f_pool), data_format=channels_first, name=f"pool{index}"
        )(spec_cnn)
        spec_cnn = layers.Dropout(0.05, name=f"dropout{index}")(spec_cnn)
    spec_cnn = layers.Permute((2, 1, 3), name="permute")(spec_cnn)
    spec_rnn = layers.Reshape((60, -1), name="reshape")(spec_cnn)
    for index in (1, 2):
        spec_rnn = layers.Bidirectional(
            layers.GRU(128, activation="tanh", return_sequences=True),
            merge_mode="mul",
            name=f"bigru{index}",
        )(spec_rnn)
    doa = layers.TimeDistributed(layers.Dense(128), name="fnn")(spec_rnn)
    doa = layers.Dropout(0.05, name="fnn_dropout")(doa)
    doa = layers.TimeDistributed(layers.Dense(36), name="doa")(doa)
    doa = layers.Activation("tanh", name="doa_out")(doa)
    model = keras.Model(spec_start, doa, name="seldnet")
    model.compile(optimizer="adam", loss="mse")
    return model


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
