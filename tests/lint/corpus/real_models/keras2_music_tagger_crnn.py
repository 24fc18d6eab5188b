# ruff: noqa: E501
"""Keras 2's `keras.applications.MusicTaggerCRNN` in its channels_first ordering: a mel-spectrogram (1, 96, 1366) zero-padded in time, an input BatchNormalization, four Conv2D -> BN -> ELU -> MaxPooling2D blocks, Permute + Reshape into a sequence, two GRUs and a 50-tag sigmoid head.

Source: https://github.com/keras-team/keras/blob/3a57f184de26a70df1359c7b0afa5b1ee943fe07/keras/applications/music_tagger_crnn.py (MIT).
Transcribed: `MusicTaggerCRNN(weights=None)` with
`K.image_data_format() == "channels_first"` (the Theano ordering the model
was written for: input_shape (1, 96, 1366), channel_axis = 1,
time_axis = 3, the `Permute((3, 1, 2))` branch), so every Conv2D,
MaxPooling2D and ZeroPadding2D gets `data_format="channels_first"`
explicitly (Keras 3 has no global switch in the layer calls). Layer
order, names, BN axes, ELU and the GRU sizes as in the source; the source
returns the model uncompiled (it loads weights), so does this.
"""

SOURCE = "https://github.com/keras-team/keras/blob/3a57f184de26a70df1359c7b0afa5b1ee943fe07/keras/applications/music_tagger_crnn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO102: every BN reads a convolution (or the padded input), never an
# activation. The Permute / Reshape hand the GRUs (time, freq * channels),
# which is right for channels_first; no Dropout anywhere.
EXPECTED: dict[str, int] = {"KO104": 4, "KO106": 4, "KO111": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each ELU (monotonic) feeds only its MaxPooling2D (2x2, 3x3, 4x4, "
    "4x4): pooling first gives the same values for 4 to 16 times fewer ELUs "
    "(info).",
    "KO106": "conv1..conv4 have biases and no activation and feed only their "
    "BatchNormalization(axis=1), which subtracts each channel's mean and "
    "cancels the bias (info).",
    "KO111": "bn_0_freq is BatchNormalization(axis=time_axis=3) after the "
    "channels_first ZeroPadding2D: one mean / variance / gamma / beta per "
    "padded time frame (1440, tied to the clip length, 74 of them all-zero "
    "padding) instead of per channel; its own name says it meant the "
    "frequency axis.",
}


def build():
    from keras.layers import (
        ELU,
        GRU,
        BatchNormalization,
        Conv2D,
        Dense,
        Input,
        MaxPooling2D,
        Permute,
        Reshape,
        ZeroPadding2D,
    )
    from keras.models import Model

    fmt = "channels_first"
    channel_axis = 1
    time_axis = 3
    melgram_input = Input(shape=(1, 96, 1366))

    x = ZeroPadding2D(padding=(0, 37), data_format=fmt)(melgram_input)
    x = BatchNormalization(axis=time_axis, name="bn_0_freq")(x)

    for index, (filters, pool) in enumerate(
        [(64, 2), (128, 3), (128, 4), (128, 4)], start=1
    ):
        x = Conv2D(
            filters, (3, 3), padding="same", data_format=fmt, name=f"conv{index}"
        )(x)
        x = BatchNormalization(axis=channel_axis, name=f"bn{index}")(x)
        x = ELU()(x)
        x = MaxPooling2D(
            pool_size=(pool, pool),
            strides=(pool, pool),
            data_format=fmt,
            name=f"pool{index}",
        )(x)

    x = Permute((3, 1, 2))(x)
    x = Reshape((15, 128))(x)

    x = GRU(32, return_sequences=True, name="gru1")(x)
    x = GRU(32, return_sequences=False, name="gru2")(x)
    x = Dense(50, activation="sigmoid", name="output")(x)
    return Model(melgram_input, x, name="music_tagger_crnn")
