# ruff: noqa: E501
"""keras-io "Automatic Speech Recognition using CTC" (an early revision, "speech_transcript_v1"): two Conv1D(relu) -> BatchNormalization, two Bidirectional LSTM(dropout=0.25) -> BatchNormalization, a compression stage Permute -> [Dense(768, relu) -> Dropout(0.2) -> BatchNormalization] x 2 -> Permute, and a per-frame softmax trained with a custom CTC loss.

Source: https://github.com/keras-team/keras-io/blob/0a0495eb61d82398e7b8ccd24267a1661a15a496/examples/audio/ctc_asr.py (Apache-2.0).
Transcribed: `build_model()` and `CTCLoss()` unchanged in Keras 3 spelling
(the loss with `keras.ops` and `keras.backend.ctc_batch_cost`'s Keras 3
equivalent `keras.ops.ctc_loss`); the spectrogram input is 64 frames x 129
bins instead of the padded length of the longest LJSpeech clip, and the
output has 34 units (32 characters, the lookup's OOV token and the CTC
blank) for the source's `len(char_to_num.get_vocabulary()) + 1`. Compiled
with Adam(learning_rate=1e-4) as in the source.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0a0495eb61d82398e7b8ccd24267a1661a15a496/examples/audio/ctc_asr.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The BNs after the two LSTMs are not KO102: an LSTM's output is its hidden
# state, there is no pre-activation to normalize instead, and the rule's fix
# (move the activation after the BN) does not apply to a recurrent layer.
EXPECTED: dict[str, int] = {"KO101": 2, "KO102": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "In the compression stage each Dropout(0.2) feeds a "
    "BatchNormalization directly (twice): the BNs learn their moving "
    "variance on dropped activations, which shifts at inference.",
    "KO102": "Four BNs normalize relu outputs: after Conv1 and Conv2 "
    "(activation='relu') and after each compress Dense(activation='relu') "
    "through its dropout (info).",
}


def CTCLoss(y_true, y_pred):  # noqa: N802 (the source's name)
    from keras import ops

    batch_len = ops.shape(y_true)[0]
    input_length = ops.shape(y_pred)[1]
    label_length = ops.shape(y_true)[1]
    input_length = input_length * ops.ones((batch_len,), dtype="int32")
    label_length = label_length * ops.ones((batch_len,), dtype="int32")
    return ops.ctc_loss(
        ops.cast(y_true, "int32"),
        ops.log(y_pred + 1e-7),
        label_length,
        input_length,
        mask_index=0,
    )


def build():
    import keras

    input_shape = (64, 129)
    output_units = 34

    input_spectrogram = keras.layers.Input(
        shape=input_shape, name="spectrogram", dtype="float32"
    )
    x = keras.layers.Conv1D(
        64,
        (32),
        activation="relu",
        kernel_initializer="he_normal",
        padding="same",
        name="Conv1",
    )(input_spectrogram)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Conv1D(
        64,
        (32),
        activation="relu",
        kernel_initializer="he_normal",
        padding="same",
        name="Conv2",
    )(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Bidirectional(
        keras.layers.LSTM(64, return_sequences=True, dropout=0.25)
    )(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Bidirectional(
        keras.layers.LSTM(128, return_sequences=True, dropout=0.25)
    )(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Permute((2, 1))(x)
    x = keras.layers.Dense(768, activation="relu", name="compress_layer_1")(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(768, activation="relu", name="compress_layer_2")(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Permute((2, 1))(x)
    output = keras.layers.Dense(
        output_units, activation="softmax", name="output_layer"
    )(x)
    model = keras.models.Model(
        inputs=input_spectrogram, outputs=output, name="speech_transcript_v1"
    )
    opt = keras.optimizers.Adam(learning_rate=1e-4)
    model.compile(optimizer=opt, loss=CTCLoss)
    return model
