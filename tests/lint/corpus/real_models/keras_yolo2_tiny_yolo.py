# ruff: noqa: E501
"""experiencor/keras-yolo2 "Tiny Yolo" detector: the `TinyYoloFeature` backbone as a nested Model (Conv2D without bias -> BatchNormalization -> LeakyReLU(0.1) -> MaxPooling2D, five times; then Conv2D(512) -> BN -> LeakyReLU -> MaxPooling2D(2, strides 1, "same"); two Conv2D(1024) -> BN -> LeakyReLU), a 1x1 detection Conv2D(nb_box * (4 + 1 + nb_class)), a Reshape to (grid, grid, box, 5 + classes) and the `Lambda(lambda args: args[0])` that ties in the true_boxes input.

Source: https://github.com/experiencor/keras-yolo2/blob/157e93807bb1984e2091bafcab9607f4ce8b7293/backend.py (MIT).
Transcribed: `TinyYoloFeature.__init__()` from backend.py (its
`load_weights` of the pretrained features left out) and the model of
`YOLO.__init__()` in frontend.py at the same commit
(https://github.com/experiencor/keras-yolo2/blob/157e93807bb1984e2091bafcab9607f4ce8b7293/frontend.py),
with nb_box 5 and lecun_normal on the detection layer; its random
re-initialization of that layer's weights is left out. Shrunk for CPU: a
128 x 128 input (the source's config uses 416), 2 classes, 10 boxes per
image. `YOLO.train()` compiles with Adam(learning_rate=1e-4) and the
custom YOLO loss `self.custom_loss`; a plain function of the same name
(squared error on the raw grid) stands in for it here.
"""

SOURCE = "https://github.com/experiencor/keras-yolo2/blob/157e93807bb1984e2091bafcab9607f4ce8b7293/backend.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Every backbone convolution is use_bias=False before its BN, each BN reads
# a convolution. The sixth max pooling (2 x 2, strides 1, "same") keeps the
# size of its input: pooling first would save nothing, so it is not KO104.
EXPECTED: dict[str, int] = {"KO104": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The LeakyReLU(0.1) of layers 1 to 5 each feed only a 2 x 2 "
    "MaxPooling2D with stride 2: pooling first gives the same output on 4x "
    "fewer values (info).",
}


def build():
    import keras
    from keras.layers import (
        BatchNormalization,
        Conv2D,
        Input,
        Lambda,
        LeakyReLU,
        MaxPooling2D,
        Reshape,
    )
    from keras.models import Model

    input_size = 128
    nb_class = 2
    nb_box = 5
    max_box_per_image = 10

    # TinyYoloFeature (backend.py)
    input_image = Input(shape=(input_size, input_size, 3))

    # Layer 1
    x = Conv2D(
        16, (3, 3), strides=(1, 1), padding="same", name="conv_1", use_bias=False
    )(input_image)
    x = BatchNormalization(name="norm_1")(x)
    x = LeakyReLU(negative_slope=0.1)(x)
    x = MaxPooling2D(pool_size=(2, 2))(x)

    # Layer 2 - 5
    for i in range(0, 4):
        x = Conv2D(
            32 * (2**i),
            (3, 3),
            strides=(1, 1),
            padding="same",
            name="conv_" + str(i + 2),
            use_bias=False,
        )(x)
        x = BatchNormalization(name="norm_" + str(i + 2))(x)
        x = LeakyReLU(negative_slope=0.1)(x)
        x = MaxPooling2D(pool_size=(2, 2))(x)

    # Layer 6
    x = Conv2D(
        512, (3, 3), strides=(1, 1), padding="same", name="conv_6", use_bias=False
    )(x)
    x = BatchNormalization(name="norm_6")(x)
    x = LeakyReLU(negative_slope=0.1)(x)
    x = MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same")(x)

    # Layer 7 - 8
    for i in range(0, 2):
        x = Conv2D(
            1024,
            (3, 3),
            strides=(1, 1),
            padding="same",
            name="conv_" + str(i + 7),
            use_bias=False,
        )(x)
        x = BatchNormalization(name="norm_" + str(i + 7))(x)
        x = LeakyReLU(negative_slope=0.1)(x)

    feature_extractor = Model(input_image, x)

    # YOLO (frontend.py)
    input_image = Input(shape=(input_size, input_size, 3))
    true_boxes = Input(shape=(1, 1, 1, max_box_per_image, 4))
    grid_h, grid_w = feature_extractor.output.shape[1:3]
    features = feature_extractor(input_image)

    output = Conv2D(
        nb_box * (4 + 1 + nb_class),
        (1, 1),
        strides=(1, 1),
        padding="same",
        name="conv_23",
        kernel_initializer="lecun_normal",
    )(features)
    output = Reshape((grid_h, grid_w, nb_box, 4 + 1 + nb_class))(output)
    output = Lambda(lambda args: args[0])([output, true_boxes])

    model = Model([input_image, true_boxes], output)

    def custom_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred))

    optimizer = keras.optimizers.Adam(
        learning_rate=1e-4, beta_1=0.9, beta_2=0.999, epsilon=1e-08
    )
    model.compile(loss=custom_loss, optimizer=optimizer)
    return model
