# ruff: noqa: E501, N806
"""vlawhern/arl-eegmodels DeepConvNet (Schirrmeister et al. 2017), before the fix of its BatchNormalization momentum: a temporal Conv2D(25, (1, 5)) and a spatial Conv2D(25, (Chans, 1)), then four blocks of biased Conv2D -> BatchNormalization(momentum=0.1) -> elu -> MaxPooling2D((1, 2)) -> Dropout(0.5), Flatten and a max-norm Dense -> softmax.

Source: https://github.com/vlawhern/arl-eegmodels/blob/f3218571d1e7cfa828da0c697299467ea101fd39/EEGModels.py (CC0-1.0 / Apache-2.0).
Transcribed: `DeepConvNet()` unchanged in its channels-last form (Chans
64, Samples 256, dropoutRate 0.5, max-norm constraints, epsilon 1e-05 and
momentum 0.1 on every BN), for 4 classes; compiled as the repository's
examples/ERP.py compiles its models, with categorical cross-entropy and
Adam. The next commit, 4a512e5 "change momentum values in
ShallowConvNet/DeepConvNet due to different definitions in TF/PyTorch",
sets momentum=0.9: the 0.1 was PyTorch's convention copied into Keras.
"""

SOURCE = "https://github.com/vlawhern/arl-eegmodels/blob/f3218571d1e7cfa828da0c697299467ea101fd39/EEGModels.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The first Conv2D(25, (1, 5)) feeds the second convolution, not a BN: it is
# not KO106 (its bias survives the spatial convolution only as a constant,
# but it is a weight layer, not a BN, that reads it), and not KO116 (the
# spatial convolution is not pointwise: the temporal x spatial factorization
# is on purpose).
EXPECTED: dict[str, int] = {"KO112": 4, "KO106": 4, "KO104": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO112": "The four BatchNormalization(momentum=0.1) layers keep only 10% "
    "of their moving statistics per step: PyTorch's momentum=0.1 is Keras' "
    "momentum=0.9, so the inference statistics follow the last batch (the "
    "upstream fix, commit 4a512e5, sets 0.9).",
    "KO106": "The spatial Conv2D(25, (Chans, 1)) and the Conv2D of blocks 2, "
    "3 and 4 keep their default bias and feed only a BatchNormalization, "
    "which cancels it (info).",
    "KO104": "Each of the four elu activations feeds only a MaxPooling2D((1, "
    "2), strides (1, 2)): pooling first gives the same output on half the "
    "values (info).",
}


def build():
    from keras.constraints import max_norm
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        Input,
        MaxPooling2D,
    )
    from keras.models import Model

    nb_classes, Chans, Samples, dropoutRate = 4, 64, 256, 0.5

    input_main = Input((Chans, Samples, 1))
    block1 = Conv2D(25, (1, 5), kernel_constraint=max_norm(2.0, axis=(0, 1, 2)))(
        input_main
    )
    block1 = Conv2D(25, (Chans, 1), kernel_constraint=max_norm(2.0, axis=(0, 1, 2)))(
        block1
    )
    block1 = BatchNormalization(epsilon=1e-05, momentum=0.1)(block1)
    block1 = Activation("elu")(block1)
    block1 = MaxPooling2D(pool_size=(1, 2), strides=(1, 2))(block1)
    block1 = Dropout(dropoutRate)(block1)

    block2 = Conv2D(50, (1, 5), kernel_constraint=max_norm(2.0, axis=(0, 1, 2)))(block1)
    block2 = BatchNormalization(epsilon=1e-05, momentum=0.1)(block2)
    block2 = Activation("elu")(block2)
    block2 = MaxPooling2D(pool_size=(1, 2), strides=(1, 2))(block2)
    block2 = Dropout(dropoutRate)(block2)

    block3 = Conv2D(100, (1, 5), kernel_constraint=max_norm(2.0, axis=(0, 1, 2)))(
        block2
    )
    block3 = BatchNormalization(epsilon=1e-05, momentum=0.1)(block3)
    block3 = Activation("elu")(block3)
    block3 = MaxPooling2D(pool_size=(1, 2), strides=(1, 2))(block3)
    block3 = Dropout(dropoutRate)(block3)

    block4 = Conv2D(200, (1, 5), kernel_constraint=max_norm(2.0, axis=(0, 1, 2)))(
        block3
    )
    block4 = BatchNormalization(epsilon=1e-05, momentum=0.1)(block4)
    block4 = Activation("elu")(block4)
    block4 = MaxPooling2D(pool_size=(1, 2), strides=(1, 2))(block4)
    block4 = Dropout(dropoutRate)(block4)

    flatten = Flatten()(block4)

    dense = Dense(nb_classes, kernel_constraint=max_norm(0.5))(flatten)
    softmax = Activation("softmax")(dense)

    model = Model(inputs=input_main, outputs=softmax)
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    return model
