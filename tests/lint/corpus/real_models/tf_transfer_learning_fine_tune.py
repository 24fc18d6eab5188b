# ruff: noqa: E501
"""TensorFlow tutorial "Transfer learning and fine-tuning": MobileNetV2 base called with training=False under augmentation and preprocessing, GlobalAveragePooling2D -> Dropout -> Dense(1, sigmoid), in its fine-tuning state.

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/transfer_learning.ipynb (Apache-2.0).
Transcribed: the tutorial's model after its fine-tuning step
(`base_model.trainable = True`, layers before `fine_tune_at = 100` frozen,
recompiled with RMSprop(learning_rate=base_learning_rate / 10) and
BinaryCrossentropy()), with `MobileNetV2(input_shape=(96, 96, 3),
alpha=0.35, include_top=False, weights=None)` instead of the 160x160
ImageNet-weighted base (no downloads in tests).
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/transfer_learning.ipynb"
# Building MobileNetV2's weights takes about 2 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO130": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO130": "The base model, which contains BNs, is called with a hard-coded "
    "training=False; after unfreezing from layer 100 its trainable BNs update "
    "their moving statistics in fit anyway (Keras 3), which the tutorial "
    "relies on not happening.",
}


def build():
    import keras

    size = 96
    base_model = keras.applications.MobileNetV2(
        input_shape=(size, size, 3), alpha=0.35, include_top=False, weights=None
    )
    data_augmentation = keras.Sequential(
        [keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.2)]
    )
    preprocess_input = keras.applications.mobilenet_v2.preprocess_input
    global_average_layer = keras.layers.GlobalAveragePooling2D()
    prediction_layer = keras.layers.Dense(1, activation="sigmoid")

    inputs = keras.Input(shape=(size, size, 3))
    x = data_augmentation(inputs)
    x = preprocess_input(x)
    x = base_model(x, training=False)
    x = global_average_layer(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = prediction_layer(x)
    model = keras.Model(inputs, outputs)

    base_model.trainable = True
    for layer in base_model.layers[:100]:
        layer.trainable = False
    model.compile(
        loss=keras.losses.BinaryCrossentropy(),
        optimizer=keras.optimizers.RMSprop(learning_rate=0.0001 / 10),
    )
    return model
