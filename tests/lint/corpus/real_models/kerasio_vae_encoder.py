# ruff: noqa: E501
"""keras-io "Variational AutoEncoder": the encoder, two strided Conv2D(relu), Flatten, Dense(16, relu), two linear Dense(2) heads (z_mean, z_log_var) and a custom `Sampling` layer, with three outputs.

Source: https://github.com/keras-team/keras-io/blob/09e02e17d5cbf21ecf8a47f10d91587f963fc80a/examples/generative/vae.py (Apache-2.0).
Transcribed: `Sampling` with keras.ops and a SeedGenerator instead of tf
ops and `tf.keras.backend.random_normal`, registered as serializable; the
encoder unchanged (latent_dim=2). The source trains it inside a custom VAE
model whose train_step computes the loss: the encoder itself is not
compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/09e02e17d5cbf21ecf8a47f10d91587f963fc80a/examples/generative/vae.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: z_mean and z_log_var are linear on purpose (a mean and a
# log-variance are unbounded), and they feed the Sampling layer, not a Dense.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def _sampling():
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="corpus_kerasio_vae")
    class Sampling(keras.layers.Layer):
        """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    return Sampling


def build():
    import keras
    from keras import layers

    sampling = _sampling()
    latent_dim = 2

    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(
        encoder_inputs
    )
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = sampling()([z_mean, z_log_var])
    return keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
