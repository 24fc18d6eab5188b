# ruff: noqa: E501
"""autoBioSeqpy example DNN for molecular fingerprints: Dense(relu) -> Dropout -> Dense(relu) -> Activation('relu') -> Dense(1) -> Activation('sigmoid').

Source: https://github.com/jingry/autoBioSeqpy/blob/3be21786763b2c7704054ada15ef2ba75d20ac30/examples/WDT/model/DNN.py (no license file found in the index).
Transcribed: the file's Sequential model unchanged (2048 inputs); the file
does not compile it (autoBioSeqpy compiles it from its own options).
"""

SOURCE = "https://github.com/jingry/autoBioSeqpy/blob/3be21786763b2c7704054ada15ef2ba75d20ac30/examples/WDT/model/DNN.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO107": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO107": "Dense(50, activation='relu') is followed by Activation('relu'): "
    "relu(relu(x)) = relu(x), the second activation does nothing.",
}


def build():
    import keras
    from keras.layers import Activation, Dense, Dropout

    model = keras.Sequential([keras.Input((2048,))])
    model.add(Dense(100, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(50, activation="relu"))
    model.add(Activation("relu"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    return model
