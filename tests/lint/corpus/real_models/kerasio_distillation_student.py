# ruff: noqa: E501
"""Knowledge distillation: the student CNN trained from scratch (strided Conv2D -> LeakyReLU -> MaxPooling2D(stride 1) -> Conv2D -> Flatten -> logits).

Source: https://github.com/keras-team/keras-io/blob/1da2fdefe1b108145dcdb0794b60195cda85c38d/examples/vision/knowledge_distillation.py (Apache-2.0).
Transcribed: `student_scratch` (a clone of the student), compiled as in the
source with SparseCategoricalCrossentropy(from_logits=True);
LeakyReLU(negative_slope=0.2) is Keras 3's name for LeakyReLU(alpha=0.2).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/1da2fdefe1b108145dcdb0794b60195cda85c38d/examples/vision/knowledge_distillation.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# KO104 is silent: the MaxPooling2D has strides=1 and padding="same", so its
# output is as large as its input and pooling first would apply the
# LeakyReLU to as many values (issue 22 item 2; judged KO104 x1 before).
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
            layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(10),
        ],
        name="student",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
