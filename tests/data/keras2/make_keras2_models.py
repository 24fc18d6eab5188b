"""Makes the Keras 2 (tf_keras) model files used by the static-lint tests.

Run in an environment with tf_keras (not needed by the tests themselves):

    pip install tf_keras tensorflow-cpu
    TF_USE_LEGACY_KERAS=1 python tests/data/keras2/make_keras2_models.py

`tests/graph/test_from_config.py` builds the same architectures with Keras 3
and checks that the static lint of these files matches the live lint.
"""

from __future__ import annotations

from pathlib import Path

import tf_keras as keras

HERE = Path(__file__).resolve().parent


def functional() -> keras.Model:
    image = keras.Input((8, 8, 3), name="image")
    side_a = keras.Input((4,), name="side_a")
    side_b = keras.Input((4,), name="side_b")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(image)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Dropout(0.3, name="drop")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    shared = keras.layers.Dense(4, name="shared")
    x = keras.layers.Concatenate(name="concat")([x, shared(side_a), shared(side_b)])
    head = keras.Sequential(
        [
            keras.layers.Dense(8, name="head_dense"),
            keras.layers.Dropout(0.5, name="head_drop"),
            keras.layers.BatchNormalization(name="head_bn"),
            keras.layers.LeakyReLU(alpha=0.1, name="head_leaky"),
        ],
        name="head",
    )
    x = head(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model([image, side_a, side_b], outputs, name="k2_functional")
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def sequential() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((16,), name="seq_input"),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Activation("sigmoid", name="sig"),
            keras.layers.Dense(1, activation="softmax", name="out"),
        ],
        name="k2_sequential",
    )
    return model


if __name__ == "__main__":
    for build in (functional, sequential):
        model = build()
        model.save(HERE / f"{model.name}.h5")
        (HERE / f"{model.name}.json").write_text(model.to_json())
        print("wrote", model.name, keras.__version__)
