"""muffnn #92: an MLP with SELU hidden layers regularized by standard dropout.

The fix: muffnn's MLP applied `tf.nn.dropout` after every hidden layer
whatever the activation; the pull request switches to alpha dropout when
the activation is SELU, because "alpha dropout is only meant for selu
activations ... designed explicitly for that". Transcribed: the MLP's
hidden stack as Keras layers, two Dense(256, selu, lecun_normal) layers
each followed by dropout with keep probability 0.9 (rate 0.1), and a
softmax head over 3 classes on 20 features (sizes illustrative); the fix
uses AlphaDropout.
"""

SOURCE = "https://github.com/civisanalytics/muffnn/pull/92"
RULE = "KO115"


def _build(dropout):
    import keras

    layers = [keras.Input((20,))]
    for index in (1, 2):
        layers += [
            keras.layers.Dense(
                256,
                activation="selu",
                kernel_initializer="lecun_normal",
                name=f"layer_{index}",
            ),
            dropout(0.1, name=f"dropout_{index}"),
        ]
    layers.append(keras.layers.Dense(3, activation="softmax", name="output"))
    model = keras.Sequential(layers, name="muffnn_mlp")
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def build_buggy():
    import keras

    return _build(keras.layers.Dropout)


def build_fixed():
    import keras

    return _build(keras.layers.AlphaDropout)
