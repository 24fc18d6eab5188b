# ruff: noqa: E501
"""keras-io "Multiclass semantic segmentation using DeepLabV3+": a ResNet50 backbone behind `resnet50.preprocess_input` on the model input, a dilated spatial pyramid pooling head and a decoder, every convolution block Conv2D -> BN -> `ops.nn.relu`.

Source: https://github.com/keras-team/keras-io/blob/master/examples/vision/md/deeplabv3_plus.md (Apache-2.0; the Keras 3 version, last modified 2023/07/19).
Transcribed: unchanged blocks, filters and dilation rates; `ResNet50(weights=None)`
instead of ImageNet weights (no downloads in tests) and 128x128 inputs instead
of 512x512 (the upsampling factors are derived from the shapes, as in the
source); compiled with the source's SparseCategoricalCrossentropy(from_logits=True).

Its ReLUs are `keras.ops.nn.relu` calls on KerasTensors, and the caffe-style
`preprocess_input` is keras.ops arithmetic (RGB -> BGR by GetItem and Stack,
then an Add of the channel means): activation and shape nodes, nothing opaque.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/master/examples/vision/md/deeplabv3_plus.md"
# Building ResNet50's weights takes over 15 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 43}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Every Conv2D of Keras' ResNet50 keeps its default bias before its "
    "BN (42 up to conv4_block6_2, where the model taps the backbone), and the "
    "pyramid pooling branch's convolution_block(use_bias=True) feeds a BN too "
    "(info).",
}


def convolution_block(
    block_input,
    num_filters=256,
    kernel_size=3,
    dilation_rate=1,
    padding="same",
    use_bias=False,
):
    import keras
    from keras import layers, ops

    x = layers.Conv2D(
        num_filters,
        kernel_size=kernel_size,
        dilation_rate=dilation_rate,
        padding="same",
        use_bias=use_bias,
        kernel_initializer=keras.initializers.HeNormal(),
    )(block_input)
    x = layers.BatchNormalization()(x)
    return ops.nn.relu(x)


def dilated_spatial_pyramid_pooling(dspp_input):
    from keras import layers

    dims = dspp_input.shape
    x = layers.AveragePooling2D(pool_size=(dims[-3], dims[-2]))(dspp_input)
    x = convolution_block(x, kernel_size=1, use_bias=True)
    out_pool = layers.UpSampling2D(
        size=(dims[-3] // x.shape[1], dims[-2] // x.shape[2]),
        interpolation="bilinear",
    )(x)

    out_1 = convolution_block(dspp_input, kernel_size=1, dilation_rate=1)
    out_6 = convolution_block(dspp_input, kernel_size=3, dilation_rate=6)
    out_12 = convolution_block(dspp_input, kernel_size=3, dilation_rate=12)
    out_18 = convolution_block(dspp_input, kernel_size=3, dilation_rate=18)

    x = layers.Concatenate(axis=-1)([out_pool, out_1, out_6, out_12, out_18])
    return convolution_block(x, kernel_size=1)


def build(image_size: int = 128, num_classes: int = 20):
    import keras
    from keras import layers

    model_input = keras.Input(shape=(image_size, image_size, 3))
    preprocessed = keras.applications.resnet50.preprocess_input(model_input)
    resnet50 = keras.applications.ResNet50(
        weights=None, include_top=False, input_tensor=preprocessed
    )
    x = resnet50.get_layer("conv4_block6_2_relu").output
    x = dilated_spatial_pyramid_pooling(x)

    input_a = layers.UpSampling2D(
        size=(image_size // 4 // x.shape[1], image_size // 4 // x.shape[2]),
        interpolation="bilinear",
    )(x)
    input_b = resnet50.get_layer("conv2_block3_2_relu").output
    input_b = convolution_block(input_b, num_filters=48, kernel_size=1)

    x = layers.Concatenate(axis=-1)([input_a, input_b])
    x = convolution_block(x)
    x = convolution_block(x)
    x = layers.UpSampling2D(
        size=(image_size // x.shape[1], image_size // x.shape[2]),
        interpolation="bilinear",
    )(x)
    model_output = layers.Conv2D(num_classes, kernel_size=(1, 1), padding="same")(x)
    model = keras.Model(inputs=model_input, outputs=model_output)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
