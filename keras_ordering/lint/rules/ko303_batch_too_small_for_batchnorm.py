"""KO303 batch-too-small-for-batchnorm."""

from __future__ import annotations

from collections.abc import Iterator

from ...preflight_rule import DataExample, DataRule, PreflightFacts
from ..finding import Finding
from ..rule import quoted_list

# Wu & He 2018, "Group Normalization", Figure 1 / Table 2 (ResNet-50 on
# ImageNet, BN error by images per GPU): 23.6% at 32, 23.7% at 16, 24.8% at
# 8, 27.3% at 4, 34.7% at 2. From 8 down BN is worse than GroupNorm (24.1%
# at every batch size) and its error climbs steeply; below 8 it is 3 to 11
# points worse. Batches per replica under this size are reported.
MIN_BATCH_PER_REPLICA = 8


class BatchTooSmallForBatchnorm(DataRule):
    """## What it does
    Finds a training batch per replica smaller than 8 samples in a model
    whose BatchNormalization layers train (trainable, not called with
    `training=False`). The batch size is `preflight`'s `batch_size`, else
    the size of the first batch of the data; a distribution strategy splits
    it over its replicas.

    ## Why is this bad?
    BatchNormalization normalizes with the mean and variance of the batch.
    Wu & He (2018) measure ResNet-50's ImageNet error against images per
    GPU: 23.6% at 32, 24.8% at 8, 27.3% at 4 and 34.7% at 2, while Group
    Normalization stays at 24.1%. The moving statistics used at inference
    average these noisy estimates, so the gap grows at test time. With
    one sample per batch a Dense layer's BN outputs its beta, whatever the
    input.

    ## Example
    ```python
    model.fit(x, y, batch_size=2)  # BatchNormalization inside
    ```

    ## Use instead
    ```python
    keras.layers.GroupNormalization(groups=8)  # instead of BatchNormalization
    keras.layers.BatchNormalization(renorm=True)  # batch renormalization
    bn.trainable = False  # or freeze pretrained BN (keras_ordering.freeze_batchnorm)
    ```
    Or train with larger batches (8 or more per replica).

    ## References
    - Wu & He, "Group Normalization", ECCV 2018: https://arxiv.org/abs/1803.08494
    - Ioffe, "Batch Renormalization", NeurIPS 2017: https://arxiv.org/abs/1702.03275
    """

    code = "KO303"
    name = "batch-too-small-for-batchnorm"
    severity = "warning"
    fix = (
        "Use GroupNormalization, batch renormalization (renorm=True) or freeze "
        "the BN layers, or train with 8 or more samples per replica."
    )
    reference = "Wu & He 2018, Group Normalization (arXiv:1803.08494)"

    VALID = (
        DataExample(
            title="32 samples per batch",
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            y=("normal", (32, 1), 0.0, 1.0),
            batch_size=32,
        ),
        DataExample(
            title="batch of 2 with GroupNormalization",
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("GroupNormalization", {"groups": 2, "name": "gn"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            y=("normal", (32, 1), 0.0, 1.0),
            batch_size=2,
        ),
    )
    INVALID = (
        DataExample(
            title="batch of 1 with BatchNormalization",
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            y=("normal", (32, 1), 0.0, 1.0),
            batch_size=1,
            expect=("bn",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        per_replica = facts.batch_size // max(facts.replicas, 1)
        layers = list(facts.training_batch_norms)
        if not layers or per_replica >= MIN_BATCH_PER_REPLICA:
            return
        replicas = (
            f" ({facts.batch_size} over {facts.replicas} replicas)"
            if facts.replicas > 1
            else ""
        )
        plural = "s train" if len(layers) > 1 else " trains"
        yield cls.finding(
            layers,
            f"Batches hold {per_replica} sample{'s' if per_replica != 1 else ''} "
            f"per replica{replicas}, fewer than {MIN_BATCH_PER_REPLICA}, while "
            f"BatchNormalization {quoted_list(layers, limit=len(layers))}{plural} "
            "on their batch statistics: below 8 per GPU, Wu & He (2018) measure "
            "BN's error rising fast above GroupNormalization's.",
        )
