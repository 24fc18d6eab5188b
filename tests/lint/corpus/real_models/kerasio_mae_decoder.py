# ruff: noqa: E501
"""Masked image modeling (MAE): the lightweight decoder, Dense projection, one pre-norm transformer block with MLP Dropout, LayerNorm -> Flatten -> Dense(sigmoid) pixels.

Source: https://github.com/keras-team/keras-io/blob/24be2f3457eb5000f1b636cda1c279a5c0948542/examples/vision/masked_image_modeling.py (Apache-2.0).
Transcribed: `create_decoder()` with DEC_LAYERS=1, DEC_NUM_HEADS=4 and dropout
0.1 as in the source; projection dims 32/16 instead of 128/64 and image size
24 (16 patches of 6x6) instead of 48. Not compiled by itself in the source.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/24be2f3457eb5000f1b636cda1c279a5c0948542/examples/vision/masked_image_modeling.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    enc_dim, dec_dim, num_heads, image_size, num_patches = 32, 16, 4, 24, 16
    eps = 1e-6

    inputs = layers.Input((num_patches, enc_dim))
    x = layers.Dense(dec_dim)(inputs)
    for _ in range(1):
        x1 = layers.LayerNormalization(epsilon=eps)(x)
        attention_output = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=dec_dim, dropout=0.1
        )(x1, x1)
        x2 = layers.Add()([attention_output, x])
        x3 = layers.LayerNormalization(epsilon=eps)(x2)
        for units in [dec_dim * 2, dec_dim]:
            x3 = layers.Dense(units, activation="gelu")(x3)
            x3 = layers.Dropout(0.1)(x3)
        x = layers.Add()([x3, x2])
    x = layers.LayerNormalization(epsilon=eps)(x)
    x = layers.Flatten()(x)
    pre_final = layers.Dense(units=image_size * image_size * 3, activation="sigmoid")(x)
    outputs = layers.Reshape((image_size, image_size, 3))(pre_final)
    return keras.Model(inputs, outputs, name="mae_decoder")
