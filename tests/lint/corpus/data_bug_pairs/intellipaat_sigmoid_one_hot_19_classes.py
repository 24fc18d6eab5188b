"""19 exclusive classes, one-hot labels, sigmoid + binary cross-entropy.

The report: an NLP classifier over 19 classes, labels one-hot encoded with
`to_categorical`, ends in `Dense(19, activation="sigmoid")` compiled with
`binary_crossentropy`; Keras reports 98% accuracy while the predicted
classes are 83% right (binary accuracy over 19 independent units). The
answer: exclusive classes need softmax and categorical cross-entropy.
Transcribed: Embedding (frozen) -> LSTM -> Dropout -> BatchNormalization ->
Dense -> Dropout -> BatchNormalization -> Dense(19), sizes reduced (vocabulary
500, 20 tokens, 16-dimensional embedding, LSTM 8, Dense 16); batch 384 as in
the report is cut to 64 samples.
"""

SOURCE = (
    "https://intellipaat.com/community/17161/"
    "keras-model-evaluate-vs-model-predict-accuracy-difference-in-multi-class-nlp-task"
)
RULE = "KO301"
SLOW = True  # Seconds of training steps: runs with -m slow.


def _build(head: str, loss: str):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Embedding(500, 16, trainable=False),
            keras.layers.LSTM(8, dropout=0.2, recurrent_dropout=0.2),
            keras.layers.Dropout(0.2),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(19, activation=head, name="output"),
        ]
    )
    model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.integers(0, 500, size=(64, 20))
    y = keras.utils.to_categorical(np.arange(64) % 19, 19)
    return model, x, y, 64


def build_buggy():
    return _build("sigmoid", "binary_crossentropy")


def build_fixed():
    return _build("softmax", "categorical_crossentropy")
