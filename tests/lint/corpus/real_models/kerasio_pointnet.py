# ruff: noqa: E501
"""PointNet point-cloud classification: two T-nets (conv_bn/dense_bn stacks predicting a transform applied with Dot), Conv1D -> BN(momentum=0.0) -> relu blocks, global max pooling, Dense -> BN -> relu -> Dropout head.

Source: https://github.com/keras-team/keras-io/blob/4ddadb70592b4c1884b2c9720656cae41b2e70c1/examples/vision/pointnet.py (Apache-2.0).
Transcribed: the model of the source (NUM_POINTS 2048, 10 classes, widths as
in the source, `BatchNormalization(momentum=0.0)` in conv_bn and dense_bn);
the T-nets' custom OrthogonalRegularizer (an activity regularizer, which
does not change the graph) is left out.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/4ddadb70592b4c1884b2c9720656cae41b2e70c1/examples/vision/pointnet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 3, "KO106": 17, "KO112": 17}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each of the 3 feature stacks ends Activation('relu') -> "
    "GlobalMaxPooling1D: max-pooling first gives the same output with relu on "
    "one value per channel instead of 2048 (info).",
    "KO106": "Every conv_bn Conv1D and dense_bn Dense (17) keeps use_bias=True "
    "and feeds only a BN.",
    "KO112": "All 17 BNs use momentum=0.0: the moving statistics are just the "
    "last training batch's.",
}


def build():
    import keras
    import numpy as np
    from keras import layers

    def conv_bn(x, filters):
        x = layers.Conv1D(filters, kernel_size=1, padding="valid")(x)
        x = layers.BatchNormalization(momentum=0.0)(x)
        return layers.Activation("relu")(x)

    def dense_bn(x, filters):
        x = layers.Dense(filters)(x)
        x = layers.BatchNormalization(momentum=0.0)(x)
        return layers.Activation("relu")(x)

    def tnet(inputs, num_features):
        bias = keras.initializers.Constant(np.eye(num_features).flatten())
        x = conv_bn(inputs, 32)
        x = conv_bn(x, 64)
        x = conv_bn(x, 512)
        x = layers.GlobalMaxPooling1D()(x)
        x = dense_bn(x, 256)
        x = dense_bn(x, 128)
        x = layers.Dense(
            num_features * num_features,
            kernel_initializer="zeros",
            bias_initializer=bias,
        )(x)
        feat_t = layers.Reshape((num_features, num_features))(x)
        return layers.Dot(axes=(2, 1))([inputs, feat_t])

    inputs = keras.Input(shape=(2048, 3))
    x = tnet(inputs, 3)
    x = conv_bn(x, 32)
    x = conv_bn(x, 32)
    x = tnet(x, 32)
    x = conv_bn(x, 32)
    x = conv_bn(x, 64)
    x = conv_bn(x, 512)
    x = layers.GlobalMaxPooling1D()(x)
    x = dense_bn(x, 256)
    x = layers.Dropout(0.3)(x)
    x = dense_bn(x, 128)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="pointnet")
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
    )
    return model
