# ruff: noqa: E501
"""Masked image modeling (MAE): the ViT encoder, pre-norm transformer blocks with Dropout in the MLP on the residual stream, ending in a LayerNormalization whose output is features for the decoder.

Source: https://github.com/keras-team/keras-io/blob/24be2f3457eb5000f1b636cda1c279a5c0948542/examples/vision/masked_image_modeling.py (Apache-2.0).
Transcribed: `create_encoder()` with ENC_LAYERS=3, ENC_NUM_HEADS=4, dropout
0.1 and LAYER_NORM_EPS=1e-6 as in the source, ENC_PROJECTION_DIM 32 instead
of 128 (MLP units [64, 32]). The source trains it inside a custom
MaskedAutoencoder model: the encoder itself is not compiled.
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

    projection_dim, num_heads, num_layers, eps = 32, 4, 3, 1e-6

    def mlp(x, dropout_rate, hidden_units):
        for units in hidden_units:
            x = layers.Dense(units, activation="gelu")(x)
            x = layers.Dropout(dropout_rate)(x)
        return x

    inputs = layers.Input((None, projection_dim))
    x = inputs
    for _ in range(num_layers):
        x1 = layers.LayerNormalization(epsilon=eps)(x)
        attention_output = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=projection_dim, dropout=0.1
        )(x1, x1)
        x2 = layers.Add()([attention_output, x])
        x3 = layers.LayerNormalization(epsilon=eps)(x2)
        x3 = mlp(
            x3, hidden_units=[projection_dim * 2, projection_dim], dropout_rate=0.1
        )
        x = layers.Add()([x3, x2])
    outputs = layers.LayerNormalization(epsilon=eps)(x)
    return keras.Model(inputs, outputs, name="mae_encoder")
