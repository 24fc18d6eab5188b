"""TensorFlow-Examples #175: the neural-network example is a linear classifier.

The bug: `neural_network.py` builds `layer_1 = tf.layers.dense(x,
n_hidden_1)`, `layer_2 = tf.layers.dense(layer_1, n_hidden_2)` and
`out_layer = tf.layers.dense(layer_2, num_classes)`, none with an
activation, so "this example is equal with a multinomial logistic
regression"; the answer: it should be `activation=tf.nn.relu`.
Transcribed in Keras: 784 MNIST pixels -> Dense(256) -> Dense(256) ->
Dense(10) logits, trained with a from-logits softmax cross-entropy; the
fix gives both hidden layers ReLU.
"""

SOURCE = "https://github.com/aymericdamien/TensorFlow-Examples/issues/175"
RULE = "KO116"


def _build(hidden_activation):
    import keras

    inputs = keras.Input((784,), name="x")
    layer_1 = keras.layers.Dense(256, activation=hidden_activation, name="layer_1")(
        inputs
    )
    layer_2 = keras.layers.Dense(256, activation=hidden_activation, name="layer_2")(
        layer_1
    )
    out_layer = keras.layers.Dense(10, name="out_layer")(layer_2)
    model = keras.Model(inputs, out_layer, name="neural_network")
    model.compile(
        loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer="adam"
    )
    return model


def build_buggy():
    return _build(None)


def build_fixed():
    return _build("relu")
