"""The transfer-learning guide: `base_model(inputs, training=False)`, then
`base_model.trainable = True` for fine-tuning.

The bug: the guide calls the pretrained base with `training=False` so its
BatchNormalization layers stay in inference mode when the base is unfrozen
for fine-tuning; the report shows `fit` passes `training=True` and
overrides it, so the BN layers update their statistics as soon as
`base_model.trainable = True`. Transcribed: the guide's model shape (a
base with Conv -> BN -> ReLU blocks standing in for Xception, called with
`training=False`, then global pooling, Dropout(0.2) and a Dense(1) logit)
after unfreezing; the fix keeps the base's BN layers frozen
(`trainable=False`) while the rest of the base trains.
"""

SOURCE = "https://github.com/keras-team/keras/issues/20285"
RULE = "KO130"


def _build(fixed: bool):
    import keras

    base_inputs = keras.Input((32, 32, 3), name="base_input")
    x = base_inputs
    for index in (1, 2):
        x = keras.layers.Conv2D(16, 3, use_bias=False, name=f"conv{index}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
        x = keras.layers.Activation("relu", name=f"relu{index}")(x)
    base_model = keras.Model(base_inputs, x, name="base_model")
    base_model.trainable = True  # Unfrozen for fine-tuning.
    if fixed:
        for layer in base_model.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
    inputs = keras.Input((32, 32, 3), name="image")
    x = base_model(inputs, training=False)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(0.2, name="dropout")(x)
    outputs = keras.layers.Dense(1, name="logit")(x)
    model = keras.Model(inputs, outputs, name="fine_tuned")
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
