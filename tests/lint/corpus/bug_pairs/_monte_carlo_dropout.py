"""The fixed models' Monte-Carlo dropout: `keras_ordering.MonteCarloDropout`.

keras-team/keras#18129 gives the workaround, a `Dropout` whose `call`
always passes `training=True`; a local subclass of that kind is opaque to
the linter, so "RULE not in fixed" would pass whatever KO130 does. The
package's own layer is known to the linter: the fixed models are linted
through, and the pair test checks that nothing in them is opaque.
"""


def monte_carlo_dropout(rate: float, name: str):
    from keras_ordering.layers import MonteCarloDropout

    return MonteCarloDropout(rate, name=name)
