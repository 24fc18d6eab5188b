"""Evidence about ordering: variance shift, BN recalibration, training flags.

`measure_variance_shift` measures Li et al.'s variance shift for every BN,
`recalibrate_batchnorm` re-estimates BN statistics with dropout off, and
`audit_training_flag` checks that stochastic and stateful layers follow the
`training` flag. One module per function, with its result types; `_observe`
is the engine they share. Names resolve lazily; using them imports keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "BatchNormShift": ".variance_shift",
        "LayerAudit": ".training_flag",
        "RecalibrationReport": ".recalibrate",
        "TrainingFlagAudit": ".training_flag",
        "VarianceShiftReport": ".variance_shift",
        "audit_training_flag": ".training_flag",
        "measure_variance_shift": ".variance_shift",
        "recalibrate_batchnorm": ".recalibrate",
    },
)

if TYPE_CHECKING:
    from .recalibrate import RecalibrationReport, recalibrate_batchnorm  # noqa: F401
    from .training_flag import (  # noqa: F401
        LayerAudit,
        TrainingFlagAudit,
        audit_training_flag,
    )
    from .variance_shift import (  # noqa: F401
        BatchNormShift,
        VarianceShiftReport,
        measure_variance_shift,
    )
