"""A custom loss whose arguments are swapped takes the log of the target.

The report: an actor's custom loss `policyLoss(y_pred, y_true) =
-dot(log(y_pred), transpose(y_true))` "always returns NaN". Keras calls a
loss as `loss(y_true, y_pred)`, so the log is taken of the target, a
baseline row that is zero except at the action taken (`[0.0, 1.17]`):
log(0) is -inf. Transcribed: a 4-feature state -> Dense(24, relu) ->
Dense(2, softmax) policy, trained one sample at a time (batch 1) on that
baseline; the fix names the arguments in Keras' order.
"""

SOURCE = "https://github.com/keras-team/keras/issues/5733"
RULE = "KO307"


def _build(fixed: bool):
    import keras
    import numpy as np
    from keras import ops

    def policy_loss(y_pred, y_true):  # The report's argument order.
        return -ops.sum(ops.log(y_pred) * y_true, axis=-1)

    def fixed_policy_loss(y_true, y_pred):
        return -ops.sum(ops.log(y_pred) * y_true, axis=-1)

    inputs = keras.Input((4,), name="state")
    x = keras.layers.Dense(24, activation="relu")(inputs)
    outputs = keras.layers.Dense(2, activation="softmax", name="policy")(x)
    model = keras.Model(inputs, outputs, name="actor")
    model.compile(optimizer="adam", loss=fixed_policy_loss if fixed else policy_loss)
    rng = np.random.default_rng(0)
    state = rng.normal(size=(1, 4)).astype("float32")
    baseline = np.array([[0.0, 1.17142606]], dtype="float32")
    return model, state, baseline, 1


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
