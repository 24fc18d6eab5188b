# ruff: noqa: E501
"""hfawaz/dl-4-tsc MLP (Wang et al. 2017 baseline): Flatten, then Dropout(0.1) -> Dense(500, relu), Dropout(0.2) -> Dense(500, relu), Dropout(0.2) -> Dense(500, relu), Dropout(0.3) -> softmax Dense.

Source: https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/mlp.py (GPL-3.0).
Transcribed: `Classifier_MLP.build_model()` unchanged, compiled as in the
source with categorical cross-entropy and Adadelta(). Input: a univariate
series of 128 steps with its channel axis, (128, 1), and 5 classes (the
source takes both from its UCR dataset); callbacks left out.
"""

SOURCE = "https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/mlp.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report: every Dropout feeds a Dense layer (input dropout
# included), relu before each dropout, no BN, softmax with categorical
# cross-entropy.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    input_shape = (128, 1)
    nb_classes = 5

    input_layer = keras.layers.Input(input_shape)

    # flatten/reshape because when multivariate all should be on the same axis
    input_layer_flattened = keras.layers.Flatten()(input_layer)

    layer_1 = keras.layers.Dropout(0.1)(input_layer_flattened)
    layer_1 = keras.layers.Dense(500, activation="relu")(layer_1)

    layer_2 = keras.layers.Dropout(0.2)(layer_1)
    layer_2 = keras.layers.Dense(500, activation="relu")(layer_2)

    layer_3 = keras.layers.Dropout(0.2)(layer_2)
    layer_3 = keras.layers.Dense(500, activation="relu")(layer_3)

    output_layer = keras.layers.Dropout(0.3)(layer_3)
    output_layer = keras.layers.Dense(nb_classes, activation="softmax")(output_layer)

    model = keras.models.Model(inputs=input_layer, outputs=output_layer)

    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adadelta(),
        metrics=["accuracy"],
    )
    return model
