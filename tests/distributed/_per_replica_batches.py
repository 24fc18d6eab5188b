"""Run as a script: BN layers under MirroredStrategy on 2 logical CPUs.

Each replica gets its own batch (mean 0 and mean 10), fed through
`strategy.run`, so synchronized statistics (of both batches) and local ones
(of each replica's batch) differ. Logical devices must be configured before
TensorFlow initializes, hence a fresh process. Prints JSON.
"""

from __future__ import annotations

import json

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)

import keras  # noqa: E402 - after the device configuration.
import numpy as np  # noqa: E402

from keras_ordering import BNActDropout  # noqa: E402

RNG = np.random.default_rng(0)
REPLICA_BATCHES = [
    RNG.normal(0, 1, (16, 4)).astype("float32"),
    RNG.normal(10, 3, (16, 4)).astype("float32"),
]
LAYERS = {
    "synchronized": lambda: BNActDropout(None, momentum=0.0, synchronized=True),
    "local": lambda: BNActDropout(None, momentum=0.0),
    "keras_synchronized": lambda: keras.layers.BatchNormalization(
        momentum=0.0, synchronized=True
    ),
}


def main() -> None:
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    result: dict = {"replicas": strategy.num_replicas_in_sync}
    for name, make_layer in LAYERS.items():
        with strategy.scope():
            layer = make_layer()
            layer.build((None, 4))
        batches = strategy.experimental_distribute_values_from_function(
            lambda context: tf.constant(
                REPLICA_BATCHES[context.replica_id_in_sync_group]
            )
        )

        @tf.function
        def step(batch, layer=layer):
            return layer(batch, training=True)

        outputs = strategy.run(step, args=(batches,))
        result[name] = {
            "moving": [
                np.asarray(layer.moving_mean).tolist(),
                np.asarray(layer.moving_variance).tolist(),
            ],
            "outputs": [
                np.asarray(output).tolist()
                for output in strategy.experimental_local_results(outputs)
            ],
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
