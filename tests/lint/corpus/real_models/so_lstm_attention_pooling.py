# ruff: noqa: E501
"""Stack Overflow "How is attention layer implemented in keras?": the widely copied LSTM attention pooling (Dense(1, tanh) scores -> Flatten -> softmax over time -> RepeatVector -> Permute -> multiply).

Source: https://stackoverflow.com/questions/56987142/how-is-attention-layer-implemented-in-keras (CC BY-SA 4.0).
Transcribed: the question's "second method" with Keras 3 names (`multiply`
for `merge(mode='mul')`), an Embedding(1000, 32) input of 50 tokens and
units=64 in front, and a Lambda sum over time with a Dense(2, softmax) head
added after `sent_representation` to make it a classifier.
"""

SOURCE = "https://stackoverflow.com/questions/56987142/how-is-attention-layer-implemented-in-keras"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def sum_over_time(x):
    from keras import ops

    return ops.sum(x, axis=1)


def build():
    import keras
    from keras import layers

    units = 64
    tokens = layers.Input((50,), dtype="int32")
    embedded = layers.Embedding(1000, 32)(tokens)
    activations = layers.LSTM(units, return_sequences=True)(embedded)
    attention = layers.Dense(1, activation="tanh")(activations)
    attention = layers.Flatten()(attention)
    attention = layers.Activation("softmax")(attention)
    attention = layers.RepeatVector(units)(attention)
    attention = layers.Permute([2, 1])(attention)
    sent_representation = layers.multiply([activations, attention])
    pooled = layers.Lambda(sum_over_time, output_shape=(units,))(sent_representation)
    outputs = layers.Dense(2, activation="softmax")(pooled)
    model = keras.Model(tokens, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
