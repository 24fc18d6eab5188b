"""BatchNormalization's moving variance turns NaN on a last batch of one.

The report (TensorFlow 2.4, reproduced by the maintainers on 2.7): "When
the size of training set and the batch size is set so that the last batch
contains only one element (i.e. len(training_set) % batch_size == 1), one
of the weights of the batch normalization (the variance) is set to nan."
The reproduction fits one epoch of two steps (`2/2`) and prints the BN
layer's one-channel moving variance: `[nan]` (on the GPU's fused kernel;
on CPU the layer still normalizes the lone sample to its beta). Transcribed
as a Keras 3 Sequential with a one-feature BatchNormalization, 33 samples
and `batch_size=32` (two steps, the second of one sample); the fixed pair
drops the sample left over, so both batches are full.
"""

SOURCE = "https://github.com/tensorflow/tensorflow/issues/46205"
RULE = "KO303"


def _build(samples: int):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.BatchNormalization(name="batch_normalization"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 1)).astype("float32")
    y = (3 * x + 1).astype("float32")
    return model, x, y, 32


def build_buggy():
    return _build(33)


def build_fixed():
    return _build(32)
