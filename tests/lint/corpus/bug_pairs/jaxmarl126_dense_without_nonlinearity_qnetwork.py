"""JaxMARL's VDN Q-network stacks two Dense layers with no activation.

The report: the `QNetwork` of `baselines/QLearning/vdn_cnn_overcooked.py`
"employs two `nn.Dense` layers back-to-back without a non-linearity between
them" (its comment: "no activation here as a nonlinearity has already been
applied to the embedding"); a maintainer: "right, an activation is missing.
will add". Transcribed from Flax to Keras: the Overcooked observation (4,
5, 26) -> the CNN embedding (Conv 32 5x5, Conv 32 3x3, Conv 32 3x3, each
relu, "same" padding as Flax's default, Flatten, Dense(64, relu)) ->
Dense(64) -> Dense(6) Q-values; the fix applies relu after the hidden
Dense, as the code now does.
"""

SOURCE = "https://github.com/bold-lab-ai/JaxMARL/issues/126"
RULE = "KO116"


def _build(hidden_activation):
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((4, 5, 26)),
            layers.Conv2D(32, (5, 5), padding="same", activation="relu", name="conv1"),
            layers.Conv2D(32, (3, 3), padding="same", activation="relu", name="conv2"),
            layers.Conv2D(32, (3, 3), padding="same", activation="relu", name="conv3"),
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", name="embedding"),
            layers.Dense(64, activation=hidden_activation, name="hidden"),
            layers.Dense(6, name="q_values"),
        ]
    )
    return model


def build_buggy():
    return _build(None)


def build_fixed():
    return _build("relu")
