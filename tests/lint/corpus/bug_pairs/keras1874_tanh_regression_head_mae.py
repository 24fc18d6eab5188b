"""A nonlinear regression MLP ends in tanh under mean absolute error.

The report: "I was trying to make nonlinear regression using Keras. However
the result is far from satisfying": Dense(500) on 4 features -> tanh ->
Dropout(0.5) -> Dense(1) -> tanh, compiled with mean absolute error. The
first answer: "it is more common to have a linear layer as the output of
the net in regression tasks" (tanh bounds every prediction to (-1, 1)).
Transcribed as in the report; the fix drops the output tanh.
"""

SOURCE = "https://github.com/keras-team/keras/issues/1874"
RULE = "KO205"


def _build(output_activation: str):
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((4,)),
            layers.Dense(500, name="hidden"),
            layers.Activation("tanh", name="tanh"),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(1, name="output"),
            layers.Activation(output_activation, name="output_activation"),
        ]
    )
    model.compile(loss="mean_absolute_error", optimizer="rmsprop")
    return model


def build_buggy():
    return _build("tanh")


def build_fixed():
    return _build("linear")
