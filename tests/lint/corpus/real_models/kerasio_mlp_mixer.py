# ruff: noqa: E501
"""keras-io "Image classification with modern MLP models", the MLP-Mixer: augmentation Sequential (Normalization, Resizing, RandomFlip, RandomZoom), a custom Patches layer, a Dense patch projection, a Sequential of four custom MLPMixerLayer blocks (shared LayerNorm, token-mixing and channel-mixing Dense -> GELU -> Dense -> Dropout MLPs, residual adds), GlobalAveragePooling1D -> Dropout -> Dense logits.

Source: https://github.com/keras-team/keras-io/blob/8bda227c08adf855a8b9ec579840e2a7171fff60/examples/vision/mlp_image_classification.py (Apache-2.0).
Transcribed: `data_augmentation`, `Patches`, `MLPMixerLayer` and
`build_classifier()` in Keras 3 spelling (`tfa.layers.GELU()` as
`Activation("gelu")`, `tf.image.extract_patches` as
`keras.ops.image.extract_patches`, `tf.linalg.matrix_transpose` as
`keras.ops.transpose`; the custom layers pass **kwargs and have
get_config), with the source's 32x32x3 CIFAR-100 input resized to 64,
patch size 8, 4 blocks and dropout 0.2, embedding_dim 64 instead of 256.
The Normalization is adapted, as in the source, on synthetic images in
[0, 255] instead of x_train. Compiled with SparseCategoricalCrossentropy(
from_logits=True) as in the source, Adam(0.005) instead of tfa's AdamW.
"""

import keras

SOURCE = "https://github.com/keras-team/keras-io/blob/8bda227c08adf855a8b9ec579840e2a7171fff60/examples/vision/mlp_image_classification.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: the Normalization is adapted, every Dropout follows a
# weight layer or the pooling and feeds a residual add or the logits Dense,
# and the linear head matches its from_logits loss.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


class Patches(keras.layers.Layer):
    def __init__(self, patch_size, num_patches, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size
        self.num_patches = num_patches

    def call(self, images):
        from keras import ops

        batch_size = ops.shape(images)[0]
        patches = ops.image.extract_patches(images, size=self.patch_size)
        patch_dims = patches.shape[-1]
        return ops.reshape(patches, (batch_size, self.num_patches, patch_dims))

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        return (input_shape[0], self.num_patches, self.patch_size**2 * channels)

    def get_config(self):
        config = super().get_config()
        config.update({"patch_size": self.patch_size, "num_patches": self.num_patches})
        return config


class MLPMixerLayer(keras.layers.Layer):
    def __init__(
        self, num_patches, hidden_units, dropout_rate, embedding_dim, **kwargs
    ):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.hidden_units = hidden_units
        self.dropout_rate = dropout_rate
        self.embedding_dim = embedding_dim
        layers = keras.layers
        self.mlp1 = keras.Sequential(
            [
                layers.Dense(units=num_patches),
                layers.Activation("gelu"),
                layers.Dense(units=num_patches),
                layers.Dropout(rate=dropout_rate),
            ]
        )
        self.mlp2 = keras.Sequential(
            [
                layers.Dense(units=num_patches),
                layers.Activation("gelu"),
                layers.Dense(units=embedding_dim),
                layers.Dropout(rate=dropout_rate),
            ]
        )
        self.normalize = layers.LayerNormalization(epsilon=1e-6)

    def call(self, inputs):
        from keras import ops

        x = self.normalize(inputs)
        x_channels = ops.transpose(x, (0, 2, 1))
        mlp1_outputs = self.mlp1(x_channels)
        mlp1_outputs = ops.transpose(mlp1_outputs, (0, 2, 1))
        x = mlp1_outputs + inputs
        x_patches = self.normalize(x)
        mlp2_outputs = self.mlp2(x_patches)
        x = x + mlp2_outputs
        return x

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_patches": self.num_patches,
                "hidden_units": self.hidden_units,
                "dropout_rate": self.dropout_rate,
                "embedding_dim": self.embedding_dim,
            }
        )
        return config


def build():
    import numpy as np
    from keras import layers

    input_shape = (32, 32, 3)
    num_classes = 100
    dropout_rate = 0.2
    image_size = 64
    patch_size = 8
    num_patches = (image_size // patch_size) ** 2
    embedding_dim = 64
    num_blocks = 4

    data_augmentation = keras.Sequential(
        [
            layers.Normalization(),
            layers.Resizing(image_size, image_size),
            layers.RandomFlip("horizontal"),
            layers.RandomZoom(height_factor=0.2, width_factor=0.2),
        ],
        name="data_augmentation",
    )
    x_train = np.random.default_rng(0).integers(0, 256, size=(64, *input_shape))
    data_augmentation.layers[0].adapt(x_train.astype("float32"))

    def build_classifier(blocks):
        inputs = layers.Input(shape=input_shape)
        augmented = data_augmentation(inputs)
        patches = Patches(patch_size, num_patches)(augmented)
        x = layers.Dense(units=embedding_dim)(patches)
        x = blocks(x)
        representation = layers.GlobalAveragePooling1D()(x)
        representation = layers.Dropout(rate=dropout_rate)(representation)
        logits = layers.Dense(num_classes)(representation)
        return keras.Model(inputs=inputs, outputs=logits)

    mlpmixer_blocks = keras.Sequential(
        [
            MLPMixerLayer(num_patches, embedding_dim, dropout_rate, embedding_dim)
            for _ in range(num_blocks)
        ]
    )
    model = build_classifier(mlpmixer_blocks)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.005),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
