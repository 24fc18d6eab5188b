"""ProteomicsML #203: "Do not use ReLU activation for the final regression layer".

The fix: a tutorial's LSTM regressor (peptide retention / collisional
cross-section prediction) ended in a Dense layer with ReLU and returned 0
for every peptide of the validation set: with an unlucky initialization
the pre-ReLU output is negative and the gradient vanishes. The pull
request makes the final layer linear. Transcribed: an Embedding of the 20
amino acids plus padding (30 residues), a Bidirectional LSTM(64), a
Dense(64, relu) and the final Dense(1) with ReLU, compiled with mean
absolute error (sizes illustrative); the fix drops the final activation.
"""

SOURCE = "https://github.com/ProteomicsML/ProteomicsML/pull/203"
RULE = "KO205"


def _build(final_activation):
    import keras

    model = keras.Sequential(
        [
            keras.Input((30,), dtype="int32"),
            keras.layers.Embedding(21, 32, name="embedding"),
            keras.layers.Bidirectional(keras.layers.LSTM(64), name="bilstm"),
            keras.layers.Dense(64, activation="relu", name="dense"),
            keras.layers.Dense(1, activation=final_activation, name="output"),
        ]
    )
    model.compile(loss="mean_absolute_error", optimizer="adam")
    return model


def build_buggy():
    return _build("relu")


def build_fixed():
    return _build(None)
