"""LAVT-RIS #25: a language gate of two zero-initialized layers around a ReLU.

The bug: LAVT's residual gate is Linear(dim, dim, bias=False) -> ReLU ->
Linear(dim, dim, bias=False) -> Tanh, and both Linear weights were
initialized with `nn.init.zeros_`. The reporter printed the gradients: the
first layer's are all exactly 0 (its output is ReLU(0) = 0, where ReLU's
gradient is 0), so it never trains; once its zero initialization is
removed, gradients flow. Transcribed: the gate in Keras (Dense layers
without bias; dim = 32) applied to 64 visual tokens, multiplied into the
language-attended features and added back as in LAVT's PWAM; the fix keeps
only the second layer at zeros (tanh(0) = 0 starts the gate closed).
"""

SOURCE = "https://github.com/yz93/LAVT-RIS/issues/25"
RULE = "KO117"


def _build(first_initializer: str):
    import keras

    dim = 32
    features = keras.Input((64, dim), name="features")
    gate = keras.layers.Dense(
        dim,
        use_bias=False,
        activation="relu",
        kernel_initializer=first_initializer,
        name="res_gate_0",
    )(features)
    gate = keras.layers.Dense(
        dim,
        use_bias=False,
        activation="tanh",
        kernel_initializer="zeros",
        name="res_gate_2",
    )(gate)
    gated = keras.layers.Multiply(name="gated")([features, gate])
    outputs = keras.layers.Add(name="residual")([features, gated])
    return keras.Model(features, outputs, name="lavt_gate")


def build_buggy():
    return _build("zeros")


def build_fixed():
    return _build("glorot_uniform")
