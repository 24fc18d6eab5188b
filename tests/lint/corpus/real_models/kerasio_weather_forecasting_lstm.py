# ruff: noqa: E501
"""keras-io "Timeseries forecasting for weather prediction": 120 hourly steps of 7 normalized Jena climate features -> LSTM(32) -> Dense(1), a temperature regression with MSE.

Source: https://github.com/keras-team/keras-io/blob/0a57de48c864d63b80083820e8988368ee5c3149/examples/timeseries/timeseries_weather_forecasting.py (Apache-2.0).
Transcribed: the functional model as in the source (past 720, step 6: 120
steps; 7 features), compiled as in the source with Adam(0.001) and "mse".
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0a57de48c864d63b80083820e8988368ee5c3149/examples/timeseries/timeseries_weather_forecasting.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: no BN or dropout, and the linear output suits the MSE on
# normalized (signed) temperatures.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    sequence_length = 120
    learning_rate = 0.001
    inputs = keras.layers.Input(shape=(sequence_length, 7))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse"
    )
    return model
