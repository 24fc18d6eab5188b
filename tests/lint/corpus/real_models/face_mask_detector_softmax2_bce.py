# ruff: noqa: E501
"""Face-Mask-Detection: a MobileNetV2 head ending in a 2-unit softmax, trained with binary cross-entropy on one-hot labels.

Source: https://github.com/chandrikadeb7/Face-Mask-Detection/blob/7e520d4181be9d3ceb4d580fa300d11fdc12002d/train_mask_detector.py (MIT).
Transcribed: the head the script puts on MobileNetV2's 7x7 feature map
(AveragePooling2D(7) -> Flatten -> Dense(128, relu) -> Dropout(0.5) ->
Dense(2, softmax)), compiled with `loss="binary_crossentropy"` and
`metrics=["accuracy"]` as in the source. The frozen ImageNet MobileNetV2
is replaced by an Input of its output shape, with 64 channels instead of
1280; layer order and settings as in the source.
"""

SOURCE = "https://github.com/chandrikadeb7/Face-Mask-Detection/blob/7e520d4181be9d3ceb4d580fa300d11fdc12002d/train_mask_detector.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# KO203 is silent: over 2 units with one-hot targets, binary cross-entropy
# on (p, 1 - p) is categorical cross-entropy term for term, and "accuracy"
# gives the same number (issue 22 item 1).
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    features = keras.Input((7, 7, 64), name="mobilenet_v2_features")
    head = keras.layers.AveragePooling2D(pool_size=(7, 7))(features)
    head = keras.layers.Flatten(name="flatten")(head)
    head = keras.layers.Dense(128, activation="relu")(head)
    head = keras.layers.Dropout(0.5)(head)
    head = keras.layers.Dense(2, activation="softmax")(head)
    model = keras.Model(inputs=features, outputs=head)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
