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


def _example(
    title: str, batch_size: int, samples: int = 32, expect: tuple[str, ...] = ()
) -> DataExample:
    """Dense -> BatchNormalization -> Dense, trained on `samples` samples."""
    return DataExample(
        title=title,
        layers=(
            ("Dense", {"units": 8, "name": "dense"}),
            ("BatchNormalization", {"name": "bn"}),
            ("Dense", {"units": 1, "name": "head"}),
        ),
        input_shape=(8,),
        loss=("MeanSquaredError", {}),
        x=("normal", (samples, 8), 0.0, 1.0),
        y=("normal", (samples, 1), 0.0, 1.0),
        batch_size=batch_size,
        expect=expect,
    )


def _plural(count: int, word: str = "sample") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class BatchTooSmallForBatchnorm(DataRule):
    """## What it does
    Finds a training batch per replica smaller than 8 samples in a model
    whose BatchNormalization layers train (trainable, not called with
    `training=False`). The batch size is `preflight`'s `batch_size`, else
    the size of the first batch of the data; a distribution strategy splits
    it over its replicas.

    It also finds a short last batch: `fit` trains on the `N % batch_size`
    samples left at the end of each epoch, and a last batch of 1 to 7 per
    replica is the same bug once per epoch. `N` is known for arrays (their
    length), a `keras.utils.PyDataset` (its last item is read), a
    `tf.data.Dataset` batched without `drop_remainder` from a source of
    known cardinality (nothing is iterated) and a PyTorch `DataLoader` over
    a sized dataset; for a generator, or a dataset filtered or repeated
    after batching, nothing is said.

    ## Why is this bad?
    BatchNormalization normalizes with the mean and variance of the batch.
    Wu & He (2018) measure ResNet-50's ImageNet error against images per
    GPU: 23.6% at 32, 24.8% at 8, 27.3% at 4 and 34.7% at 2, while Group
    Normalization stays at 24.1%. The moving statistics used at inference
    average these noisy estimates, so the gap grows at test time. With
    one sample per batch a Dense layer's BN outputs its beta, whatever the
    input, and on some kernels (fused BN on GPU) the moving variance
    becomes NaN: the model is broken by the epoch's last step.

    ## Example
    ```python
    model.fit(x, y, batch_size=2)  # BatchNormalization inside
    model.fit(x[:33], y[:33], batch_size=16)  # the last batch holds 1 sample
    ```

    ## Use instead
    ```python
    keras.layers.GroupNormalization(groups=8)  # instead of BatchNormalization
    keras.layers.BatchNormalization(renorm=True)  # batch renormalization
    bn.trainable = False  # or freeze pretrained BN (keras_ordering.freeze_batchnorm)
    ```
    Or train with larger batches (8 or more per replica). For a short last
    batch: `dataset.batch(16, drop_remainder=True)` (`drop_last=True` in a
    DataLoader), a batch size that divides the number of samples, or drop
    the few samples left over.

    ## References
    - Wu & He, "Group Normalization", ECCV 2018: https://arxiv.org/abs/1803.08494
    - Ioffe, "Batch Renormalization", NeurIPS 2017: https://arxiv.org/abs/1702.03275
    - NaN moving variance from a last batch of one:
      https://github.com/tensorflow/tensorflow/issues/46205
    """

    code = "KO303"
    name = "batch-too-small-for-batchnorm"
    severity = "warning"
    fix = (
        "Use GroupNormalization, batch renormalization (renorm=True) or freeze "
        "the BN layers, or train with 8 or more samples per replica, in the last "
        "batch too (drop_remainder, or a batch size that divides the samples)."
    )
    reference = "Wu & He 2018, Group Normalization (arXiv:1803.08494)"

    VALID = (
        _example("32 samples per batch", 32),
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
        _example("batches of 16 that divide 32 samples", 16),
    )
    INVALID = (
        _example("batch of 1 with BatchNormalization", 1, expect=("bn",)),
        _example(
            "33 samples in batches of 16: the last batch holds 1",
            16,
            samples=33,
            expect=("bn",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        layers = list(facts.training_batch_norms)
        replicas = max(facts.replicas, 1)
        per_replica = facts.batch_size // replicas
        if not layers:
            return
        norms = (
            f"BatchNormalization {quoted_list(layers, limit=len(layers))}"
            f"{'s train' if len(layers) > 1 else ' trains'} on their batch "
            "statistics"
        )
        split = (
            f" ({facts.batch_size} over {replicas} replicas)" if replicas > 1 else ""
        )
        if per_replica < MIN_BATCH_PER_REPLICA:
            yield cls.finding(
                layers,
                f"Batches hold {_plural(per_replica)} per replica{split}, fewer "
                f"than {MIN_BATCH_PER_REPLICA}, while {norms}: below 8 per GPU, "
                "Wu & He (2018) measure BN's error rising fast above "
                "GroupNormalization's.",
            )
            return
        last = facts.last_batch
        if last is None or last // replicas >= MIN_BATCH_PER_REPLICA:
            return
        total = facts.total_samples
        of = f" of {_plural(total)}" if total else ""
        divide = f" a batch size that divides {total}," if total else ""
        yield cls.finding(
            layers,
            f"The last batch of each epoch{of} holds {_plural(last)} "
            f"(batches of {facts.batch_size}), fewer than {MIN_BATCH_PER_REPLICA} "
            f"per replica, while {norms}: a batch of 1 gives NaN or constant "
            f"outputs. Drop it (drop_remainder=True in tf.data, drop_last=True in "
            f"a DataLoader), use{divide} or drop {_plural(last)}.",
        )
