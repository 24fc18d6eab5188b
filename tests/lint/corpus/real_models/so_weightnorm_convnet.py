# ruff: noqa: E501
"""Weight-normalized LeNet-style ConvNet: every Conv2D and Dense wrapped in a WeightNormalization `keras.layers.Wrapper` (Conv2D(relu) -> MaxPooling2D, twice, Flatten, three Dense).

Source: https://stackoverflow.com/questions/75765370/typeerror-identified-in-implementing-weightnormalization-layer-within-tensorfl
Transcribed: unchanged layers and sizes (32x32x3 input assumed: the question
trains on CIFAR-10); the question's `tfa.layers.WeightNormalization`
(TensorFlow Addons, not available for Keras 3) is replaced by a small
Keras 3 `keras.layers.Wrapper` subclass of the same shape (w = g * v / |v|
in the source; the wrapped layer's call is all the graph needs). Its config
holds the wrapped layer: until the file reader read it, the live model gave
the two findings below and its saved file none.
"""

SOURCE = "https://stackoverflow.com/questions/75765370/typeerror-identified-in-implementing-weightnormalization-layer-within-tensorfl"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each wrapped Conv2D(activation='relu') feeds only a MaxPooling2D: "
    "pooling first is identical and cheaper (info), once per conv stage.",
}


def _weight_normalization():
    import keras

    @keras.saving.register_keras_serializable(package="corpus_so_weightnorm")
    class WeightNormalization(keras.layers.Wrapper):
        """Weight normalization of the wrapped layer's kernel (Salimans and
        Kingma, 2016): a per-output-channel scale `g` on the kernel."""

        def build(self, input_shape):
            if not self.layer.built:
                self.layer.build(input_shape)
            self.g = self.add_weight(
                name="g", shape=(self.layer.kernel.shape[-1],), initializer="ones"
            )
            super().build(input_shape)

        def call(self, inputs):
            return self.layer(inputs)

        def compute_output_shape(self, input_shape):
            return self.layer.compute_output_shape(input_shape)

    return WeightNormalization


def build():
    import keras
    from keras import layers

    weight_norm = _weight_normalization()
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            weight_norm(layers.Conv2D(6, 5, activation="relu")),
            layers.MaxPooling2D(2, 2),
            weight_norm(layers.Conv2D(16, 5, activation="relu")),
            layers.MaxPooling2D(2, 2),
            layers.Flatten(),
            weight_norm(layers.Dense(120, activation="relu")),
            weight_norm(layers.Dense(84, activation="relu")),
            weight_norm(layers.Dense(10, activation="softmax")),
        ]
    )
