# ruff: noqa: E501
"""keras-io "Simple custom layer example: Antirectifier": an MNIST MLP whose nonlinearity is a custom layer (centre, split into relu(x) and relu(-x), concatenate, mix back with its own kernel), then Dropout and a logits Dense(10).

Source: https://github.com/keras-team/keras-io/blob/2dd71c68bd2a1ebbe588f3571571abcb16d96c27/examples/keras_recipes/antirectifier.py (Apache-2.0).
Transcribed: the `Antirectifier` layer with keras.ops instead of tf ops
(`ops.mean`, `ops.relu`, `ops.concatenate`, `ops.matmul`), registered as
serializable, and the source's Sequential model unchanged; compiled as in
the source with SparseCategoricalCrossentropy(from_logits=True) and RMSprop.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/2dd71c68bd2a1ebbe588f3571571abcb16d96c27/examples/keras_recipes/antirectifier.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: the Dense layers without activation feed the custom
# layer, which is the nonlinearity (not Dense -> Dense), the Dropout feeds the
# logits layer, and the logits go to a from_logits loss.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def _antirectifier():
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="corpus_kerasio_antirectifier")
    class Antirectifier(keras.layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = keras.initializers.get(initializer)

        def build(self, input_shape):
            output_dim = input_shape[-1]
            self.kernel = self.add_weight(
                shape=(output_dim * 2, output_dim),
                initializer=self.initializer,
                name="kernel",
                trainable=True,
            )

        def call(self, inputs):
            inputs -= ops.mean(inputs, axis=-1, keepdims=True)
            pos = ops.relu(inputs)
            neg = ops.relu(-inputs)
            concatenated = ops.concatenate([pos, neg], axis=-1)
            mixed = ops.matmul(concatenated, self.kernel)
            return mixed

        def get_config(self):
            base_config = super().get_config()
            config = {"initializer": keras.initializers.serialize(self.initializer)}
            return dict(list(base_config.items()) + list(config.items()))

    return Antirectifier


def build():
    import keras
    from keras import layers

    antirectifier = _antirectifier()
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256),
            antirectifier(),
            layers.Dense(256),
            antirectifier(),
            layers.Dropout(0.5),
            layers.Dense(10),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model
