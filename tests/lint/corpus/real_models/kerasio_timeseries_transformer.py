# ruff: noqa: E501
"""Timeseries classification with a Transformer: post-norm encoder blocks (attention -> Dropout -> LayerNorm -> + inputs; Conv1D feed-forward) and an MLP head.

Source: https://github.com/keras-team/keras-io/blob/2024821a4b87a21175467773a130c12735673796/examples/timeseries/timeseries_classification_transformer.py (Apache-2.0).
Transcribed: `build_model` with head_size 16 instead of 256 and input (500, 1);
num_heads 4, ff_dim 4, 4 blocks, mlp_units [128], dropout 0.25, mlp_dropout
0.4 and the residual `x + inputs` tensor additions as in the source.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/2024821a4b87a21175467773a130c12735673796/examples/timeseries/timeseries_classification_transformer.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
        x = layers.MultiHeadAttention(
            key_dim=head_size, num_heads=num_heads, dropout=dropout
        )(inputs, inputs)
        x = layers.Dropout(dropout)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        res = x + inputs
        x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
        x = layers.Dropout(dropout)(x)
        x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        return x + res

    inputs = keras.Input(shape=(500, 1))
    x = inputs
    for _ in range(4):
        x = transformer_encoder(x, 16, 4, 4, 0.25)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    for dim in [128]:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
    )
    return model
