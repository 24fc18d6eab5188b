"""A frozen ImageNet VGG16 fed pixels rescaled to [0, 1], not its caffe preprocessing.

The report: the book's section 5.3 ("using a pretrained convnet") no longer
reaches the accuracies it prints; the thread finds that the notebook feeds
the VGG16 convolutional base images from `ImageDataGenerator(rescale=1./255)`
instead of `vgg16.preprocess_input` (BGR, ImageNet mean subtracted), and
with `preprocess_input` the validation accuracy of the feature-extraction
listing goes from about 90% to over 97%. Transcribed from the listing that
puts the frozen base in the model: VGG16(include_top=False, 150x150x3),
`trainable = False` -> Flatten -> Dense(256, relu) -> Dense(1, sigmoid),
binary cross-entropy, RMSprop(2e-5), batches of 20 cats and dogs;
`weights=None` stands in for the ImageNet weights (no download). The fix
calls `vgg16.preprocess_input` on the 0-255 pixels.
"""

SOURCE = "https://github.com/fchollet/deep-learning-with-python-notebooks/issues/21"
RULE = "KO302"
SLOW = True


def _build(caffe: bool):
    import keras
    import numpy as np

    conv_base = keras.applications.VGG16(
        weights=None, include_top=False, input_shape=(150, 150, 3)
    )
    conv_base.trainable = False
    model = keras.Sequential(
        [
            conv_base,
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.RMSprop(learning_rate=2e-5),
        metrics=["acc"],
    )
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(20, 150, 150, 3)).astype("float32")
    preprocess = keras.applications.vgg16.preprocess_input
    x = preprocess(pixels) if caffe else pixels / 255.0
    y = (np.arange(20) % 2).astype("float32")
    return model, x, y, 20


def build_buggy():
    return _build(caffe=False)


def build_fixed():
    return _build(caffe=True)
