"""A head layer reads `training` from `**kwargs`, defaulting to False.

The report quotes a TF classification head: `call(self, inputs, **kwargs)`
then `self.dropout(pooled_output, training=kwargs.get("training", False))`
and asks where the dropout is ever trained. Keras 3 does not put `training`
into a bare `**kwargs`, so the flag is always False and the dropout never
drops in `fit`. Transcribed: pooled 64-feature vectors -> Dense(64, tanh)
pooler -> that head (Dropout(0.1), Dense(2) logits), sparse categorical
cross-entropy with `from_logits=True`, 32 samples at batch 32; the fix
declares `training=None` and passes it on.
"""

SOURCE = "https://github.com/huggingface/transformers/issues/4059"
RULE = "KO305"


def _head(fixed: bool):
    import keras

    class ClassificationHead(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dropout = keras.layers.Dropout(0.1)
            self.classifier = keras.layers.Dense(2)

        def build(self, input_shape):
            self.classifier.build(input_shape)

    class BuggyHead(ClassificationHead):
        def call(self, pooled_output, **kwargs):
            training = kwargs.get("training", False)
            return self.classifier(self.dropout(pooled_output, training=training))

    class FixedHead(ClassificationHead):
        def call(self, pooled_output, training=None):
            return self.classifier(self.dropout(pooled_output, training=training))

    return FixedHead if fixed else BuggyHead


def _build(fixed: bool):
    import keras
    import numpy as np

    inputs = keras.Input((64,))
    x = keras.layers.Dense(64, activation="tanh", name="pooler")(inputs)
    outputs = _head(fixed)(name="classifier_head")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 64)).astype("float32")
    return model, x, np.arange(32) % 2, 32


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
