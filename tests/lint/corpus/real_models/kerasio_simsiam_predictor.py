# ruff: noqa: E501
"""keras-io "Self-supervised contrastive learning with SimSiam", the predictor: a 2048-d projection -> Dense(512, no bias, L2) -> ReLU -> BatchNormalization -> Dense(2048).

Source: https://github.com/keras-team/keras-io/blob/178d27afcdb7978e39c05c0942b547e6396876e5/examples/vision/simsiam.py (Apache-2.0).
Transcribed: `get_predictor()` as in the source (PROJECT_DIM 2048,
LATENT_DIM 512, WEIGHT_DECAY 0.0005). The encoder (ResNet20 from an
external file plus a Dense -> BN -> ReLU -> Dense -> BN projection head) is
left out. Trained in the SimSiam model's overridden train_step with a
negative cosine similarity: not compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/178d27afcdb7978e39c05c0942b547e6396876e5/examples/vision/simsiam.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The SimSiam paper's predictor is Linear -> BN -> ReLU -> Linear; the
# example puts the BN after the ReLU.
EXPECTED: dict[str, int] = {"KO102": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "The BatchNormalization reads the ReLU's output, normalizing "
    "post-activations instead of the Dense pre-activations (info).",
}


def build():
    import keras
    from keras import layers, regularizers

    PROJECT_DIM = 2048  # noqa: N806
    LATENT_DIM = 512  # noqa: N806
    WEIGHT_DECAY = 0.0005  # noqa: N806

    model = keras.Sequential(
        [
            layers.Input((PROJECT_DIM,)),
            layers.Dense(
                LATENT_DIM,
                use_bias=False,
                kernel_regularizer=regularizers.l2(WEIGHT_DECAY),
            ),
            layers.ReLU(),
            layers.BatchNormalization(),
            layers.Dense(PROJECT_DIM),
        ],
        name="predictor",
    )
    return model
