"""Per-feature Normalization layers that one stage-level adapt() never adapted.

The report: one `Input(shape=(1,))` and one `Normalization` per numeric
feature, concatenated into Dense(32) -> Dense(16) -> Dense(1); adapting
each Normalization on its own feature works, but wrapping the graph in a
`FunctionalPreprocessingStage` and calling its `adapt()` "runs without
errors" and leaves the layers as they were: every Normalization stays the
identity and the model trains on raw features. Transcribed: three numeric
features (names and scales invented, the report does not list them) as a
dict of inputs, the layers left unadapted (what the stage's `adapt()` did;
Keras 3 has no such stage), mean squared error for the single linear
output; the fix adapts each layer on its own feature, as the report does.
"""

SOURCE = "https://github.com/keras-team/keras/issues/15219"
RULE = "KO304"

NUMERIC_FEATURES = ("age", "income", "distance")


def _build(adapt: bool):
    import keras
    import numpy as np
    from keras import layers

    rng = np.random.default_rng(0)
    scales = {"age": 40.0, "income": 5e4, "distance": 300.0}
    x = {
        name: (scales[name] * (1 + rng.random((256, 1)))).astype("float32")
        for name in NUMERIC_FEATURES
    }
    y = (x["age"] / 40 + x["income"] / 5e4).astype("float32")

    inputs = {}
    normalization_layers = {}
    for name in NUMERIC_FEATURES:
        inputs[name] = keras.Input(shape=(1,), name=name)
        normalization_layers[name] = layers.Normalization(name=f"norm_{name}")
    if adapt:
        for name, layer in normalization_layers.items():
            layer.adapt(x[name])
    input_layers = [normalization_layers[name](inputs[name]) for name in inputs]
    h = layers.Concatenate()(input_layers)
    h = layers.Dense(32)(h)
    h = layers.Dense(16)(h)
    output = layers.Dense(1)(h)
    model = keras.Model(inputs, output)
    model.compile(optimizer="adam", loss="mse")
    return model, x, y, 32


def build_buggy():
    return _build(adapt=False)


def build_fixed():
    return _build(adapt=True)
