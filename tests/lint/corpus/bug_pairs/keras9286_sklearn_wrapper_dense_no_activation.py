"""keras-team/keras #9286: the sklearn wrapper example stacks Dense layers bare.

The bug: `examples/mnist_sklearn_wrapper.py` builds its hidden layers with
`for layer_size in dense_layer_sizes: model.add(Dense(layer_size))`, so with
two sizes the Dense layers follow each other with no activation:
"Multi dense layers should add activation, otherwise one dense layer is
enough". The fix (keras-team/keras#9317) adds `Activation('relu')` after
every Dense layer but the last. Transcribed as in the example, with the
grid's `dense_layer_sizes=[64, 64]`, 8 filters of 3x3, 2x2 pooling, on
28x28x1 MNIST digits.
"""

SOURCE = "https://github.com/keras-team/keras/issues/9286"
RULE = "KO116"


def _build(fixed: bool):
    import keras
    from keras import layers

    model = keras.Sequential(name="mnist_sklearn_wrapper")
    model.add(keras.Input((28, 28, 1)))
    model.add(layers.Conv2D(8, 3, padding="valid", name="conv2d"))
    model.add(layers.Activation("relu", name="relu_conv"))
    model.add(layers.Conv2D(8, 3, name="conv2d_1"))
    model.add(layers.Activation("relu", name="relu_conv_1"))
    model.add(layers.MaxPooling2D(2, name="pool"))
    model.add(layers.Dropout(0.25, name="dropout"))
    model.add(layers.Flatten(name="flatten"))
    for index, layer_size in enumerate((64, 64)):
        model.add(layers.Dense(layer_size, name=f"dense_{index}"))
        if fixed:
            model.add(layers.Activation("relu", name=f"relu_{index}"))
    if not fixed:
        model.add(layers.Activation("relu", name="relu"))
    model.add(layers.Dropout(0.5, name="dropout_1"))
    model.add(layers.Dense(10, name="dense_out"))
    model.add(layers.Activation("softmax", name="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adadelta")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
