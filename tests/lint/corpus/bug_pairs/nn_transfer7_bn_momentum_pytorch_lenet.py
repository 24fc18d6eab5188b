"""A LeNet ported from PyTorch keeps BatchNormalization's momentum at 0.1.

The bug: moving models with batch norm from PyTorch to Keras gave different
results. The Keras model sets `BatchNormalization(axis=1, momentum=0.1)`
after every convolution and hidden Dense layer, copying PyTorch's default
`momentum=0.1`. PyTorch's momentum weights the new batch, Keras' the old
average, so Keras keeps only a tenth of its moving statistics per step and
inference uses those of the last few batches. Transcribed as in the report:
channels-first (1, 28, 28) input, Conv2D(6, 5, relu) -> BN -> MaxPool ->
Conv2D(16, 5, relu) -> BN -> MaxPool -> Flatten -> Dense(120, relu) -> BN
-> Dense(84, relu) -> BN -> Dense(10) -> softmax; the fix uses momentum=0.9,
PyTorch's 0.1 in Keras' convention.
"""

SOURCE = "https://github.com/gzuidhof/nn-transfer/issues/7"
RULE = "KO112"


def _build(momentum: float):
    import keras
    from keras import layers

    channels_first = "channels_first"
    model = keras.Sequential(
        [
            keras.Input((1, 28, 28)),
            layers.Conv2D(
                6, 5, activation="relu", data_format=channels_first, name="conv1"
            ),
            layers.BatchNormalization(axis=1, momentum=momentum, name="bnm1"),
            layers.MaxPooling2D(2, data_format=channels_first, name="pool1"),
            layers.Conv2D(
                16, 5, activation="relu", data_format=channels_first, name="conv2"
            ),
            layers.BatchNormalization(axis=1, momentum=momentum, name="bnm2"),
            layers.MaxPooling2D(2, data_format=channels_first, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(120, activation="relu", name="fc1"),
            layers.BatchNormalization(axis=1, momentum=momentum, name="bnm3"),
            layers.Dense(84, activation="relu", name="fc2"),
            layers.BatchNormalization(axis=1, momentum=momentum, name="bnm4"),
            layers.Dense(10, name="fc3"),
            layers.Activation("softmax", name="softmax"),
        ],
        name="lenet_from_pytorch",
    )
    model.compile(
        loss="categorical_crossentropy", optimizer="adadelta", metrics=["accuracy"]
    )
    return model


def build_buggy():
    return _build(0.1)


def build_fixed():
    return _build(0.9)
