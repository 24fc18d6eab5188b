"""TensorFlow-Examples convolutional_network.py: `dropout = 0.75` is a keep
probability passed as `tf.layers.dropout(rate=dropout)`.

The bug: the script defines `dropout = 0.75 # Dropout, probability to keep
units` and then calls `tf.layers.dropout(fc1, rate=dropout, ...)`, which
drops 75%; the author confirmed and pushed a fix. Transcribed in Keras 3:
the example's Conv(32, 5) -> MaxPool -> Conv(64, 3) -> MaxPool -> Flatten ->
Dense(1024) -> Dropout -> Dense(10) network; the fix uses 0.25. Rate 0.75
is reported as info.
"""

SOURCE = "https://github.com/aymericdamien/TensorFlow-Examples/issues/205"
RULE = "KO113"


def _build(rate: float):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 5, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(2, 2, name="pool1"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(2, 2, name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(1024, name="fc1"),
            keras.layers.Dropout(rate, name="dropout"),
            keras.layers.Dense(10, name="out"),
        ],
        name="conv_net",
    )
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def build_buggy():
    return _build(rate=0.75)


def build_fixed():
    return _build(rate=0.25)
