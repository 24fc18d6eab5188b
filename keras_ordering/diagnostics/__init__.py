"""Evidence about ordering: variance shift, BN recalibration, training flags.

`measure_variance_shift` measures Li et al.'s variance shift for every BN,
`recalibrate_batchnorm` re-estimates BN statistics with dropout off, and
`audit_training_flag` checks that stochastic and stateful layers follow the
`training` flag. Names resolve lazily; using them imports keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "BatchNormShift": ".batchnorm_shift",
        "LayerAudit": ".layer_audit",
        "RecalibrationReport": ".recalibration_report",
        "TrainingFlagAudit": ".training_flag_audit",
        "VarianceShiftReport": ".variance_shift_report",
        "audit_training_flag": ".training_audit",
        "measure_variance_shift": ".variance_shift",
        "recalibrate_batchnorm": ".recalibrate",
    },
)

if TYPE_CHECKING:
    from .batchnorm_shift import BatchNormShift  # noqa: F401
    from .layer_audit import LayerAudit  # noqa: F401
    from .recalibrate import recalibrate_batchnorm  # noqa: F401
    from .recalibration_report import RecalibrationReport  # noqa: F401
    from .training_audit import audit_training_flag  # noqa: F401
    from .training_flag_audit import TrainingFlagAudit  # noqa: F401
    from .variance_shift import measure_variance_shift  # noqa: F401
    from .variance_shift_report import VarianceShiftReport  # noqa: F401
