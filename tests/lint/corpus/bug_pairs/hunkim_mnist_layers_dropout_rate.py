"""DeepLearningZeroToAll lab 11-4: `tf.layers.dropout(rate=0.7)` meant keep 0.7.

The bug: the MNIST CNN written with `tf.layers` passes `rate=0.7` to
`tf.layers.dropout`, a value carried over from the `tf.nn.dropout`
version's `keep_prob=0.7`; `rate` is the fraction dropped, so it should be
0.3 (fixed in pull requests 205 and 206). Transcribed in Keras 3: an MNIST
CNN of the lab's kind (Conv(3x3, relu) -> MaxPool -> Dropout blocks, then
Dense -> Dropout -> Dense(10) logits; sizes illustrative) with rate 0.7;
the fix uses 0.3. Rate 0.7 is reported as info.
"""

SOURCE = "https://github.com/hunkim/DeepLearningZeroToAll/issues/204"
RULE = "KO113"


def _build(rate: float):
    import keras

    layers = [keras.Input((28, 28, 1))]
    for index, filters in enumerate((32, 64, 128), start=1):
        layers += [
            keras.layers.Conv2D(
                filters, 3, padding="same", activation="relu", name=f"conv{index}"
            ),
            keras.layers.MaxPooling2D(padding="same", name=f"pool{index}"),
            keras.layers.Dropout(rate, name=f"dropout{index}"),
        ]
    layers += [
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(625, activation="relu", name="dense4"),
        keras.layers.Dropout(rate, name="dropout4"),
        keras.layers.Dense(10, name="logits"),
    ]
    model = keras.Sequential(layers, name="mnist_cnn_layers")
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def build_buggy():
    return _build(rate=0.7)


def build_fixed():
    return _build(rate=0.3)
