"""The TensorFlow cookbook's spam RNN feeds softmax output to a logits loss.

The report: the RNN spam classifier computes
`logits_out = tf.nn.softmax(tf.matmul(last, weight) + bias)` and then
`tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits_out, ...)`,
which applies softmax a second time; "shouldn't use softmax activation in
output layer" (the maintainer fixed it). Transcribed in Keras: 25-token
sequences -> Embedding(vocab, 50) -> SimpleRNN(10), its last output ->
Dropout(0.5) (keep_prob 0.5 in training) -> Dense(2, softmax), compiled with
`SparseCategoricalCrossentropy(from_logits=True)` (the logits loss); the fix
returns the Dense layer's logits.
"""

SOURCE = "https://github.com/nfmcclure/tensorflow_cookbook/issues/87"
RULE = "KO202"


def _build(activation):
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((25,), dtype="int32"),
            layers.Embedding(1000, 50, name="embedding"),
            layers.SimpleRNN(10, name="rnn"),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(2, activation=activation, name="logits_out"),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(0.0005),
    )
    return model


def build_buggy():
    return _build("softmax")


def build_fixed():
    return _build(None)
