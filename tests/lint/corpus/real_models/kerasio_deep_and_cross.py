# ruff: noqa: E501
"""Structured data with Deep & Cross networks: explicit feature crosses x0 * Dense(cross) + cross (tensor operations) normalized by BN, next to Dense -> BN -> ReLU -> Dropout blocks.

Source: https://github.com/keras-team/keras-io/blob/17ce1f3b3d3851611ca5b7ef7af781ed7fbce41e/examples/structured_data/wide_deep_cross_networks.py (Apache-2.0).
Transcribed: `create_deep_and_cross_model()` for the covertype data
(hidden_units [32, 32], dropout_rate 0.1, 7 classes, sparse categorical
cross-entropy), with the `x0 * x + cross` tensor operations as in the
source; the string features and their StringLookup layers are replaced by
integer-coded inputs embedded with sqrt(vocabulary) dims, and the 10
numeric features by one (10,) input.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/17ce1f3b3d3851611ca5b7ef7af781ed7fbce41e/examples/structured_data/wide_deep_cross_networks.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Both Dense layers of the deep part keep use_bias=True and feed only "
    "a BN; the cross Dense layers are not reported, their output is multiplied "
    "by x0 before the BN, so their bias is not a constant shift.",
}


def build():
    import keras
    from keras import layers

    vocabularies = {"Soil_Type": 40, "Wilderness_Area": 4}
    numeric = layers.Input(name="numeric", shape=(10,))
    categorical = {
        name: layers.Input(name=name, shape=(), dtype="int32") for name in vocabularies
    }
    encoded = [numeric]
    for name, size in vocabularies.items():
        embedding = layers.Embedding(input_dim=size, output_dim=int(size**0.5))
        encoded.append(embedding(categorical[name]))
    x0 = layers.concatenate(encoded)

    cross = x0
    for _ in [32, 32]:
        units = cross.shape[-1]
        x = layers.Dense(units)(cross)
        cross = x0 * x + cross
    cross = layers.BatchNormalization()(cross)

    deep = x0
    for units in [32, 32]:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(0.1)(deep)

    merged = layers.concatenate([cross, deep])
    outputs = layers.Dense(units=7, activation="softmax")(merged)
    model = keras.Model(inputs=[numeric, *categorical.values()], outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    return model
