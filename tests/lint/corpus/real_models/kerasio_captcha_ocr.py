# ruff: noqa: E501
"""OCR model for reading captchas: the prediction model (Conv2D(relu) -> MaxPooling2D twice, Reshape, Dense(relu) -> Dropout, two bidirectional LSTMs with dropout, per-step softmax).

Source: https://github.com/keras-team/keras-io/blob/00bb6a3411d19fa2c28d6413d90fff4fb7424203/examples/vision/captcha_ocr.py (Apache-2.0).
Transcribed: the source's `prediction_model` (the trained model up to
"dense2", without the label input and the CTC loss layer), 200x50x1 images
and 20 output classes as in the source, LSTM units 32/16 instead of
128/64. Not compiled (the source compiles only the CTC training model).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/00bb6a3411d19fa2c28d6413d90fff4fb7424203/examples/vision/captcha_ocr.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2, "KO108": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Conv1 and Conv2 have activation='relu' and feed only a "
    "MaxPooling2D: pooling first gives the same output for less work (info).",
    "KO108": "Dropout(0.2) feeds an LSTM with dropout=0.25, which drops the "
    "same inputs again: two dropouts in a row keep 0.8 x 0.75 = 60% (info).",
}


def build():
    import keras
    from keras import layers

    img_width, img_height = 200, 50
    input_img = layers.Input(shape=(img_width, img_height, 1), name="image")
    x = layers.Conv2D(
        32,
        (3, 3),
        activation="relu",
        kernel_initializer="he_normal",
        padding="same",
        name="Conv1",
    )(input_img)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(
        64,
        (3, 3),
        activation="relu",
        kernel_initializer="he_normal",
        padding="same",
        name="Conv2",
    )(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    x = layers.Reshape(
        target_shape=((img_width // 4), (img_height // 4) * 64), name="reshape"
    )(x)
    x = layers.Dense(64, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(32, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(16, return_sequences=True, dropout=0.25))(x)
    x = layers.Dense(20, activation="softmax", name="dense2")(x)
    return keras.models.Model(input_img, x, name="ocr_prediction_model")
