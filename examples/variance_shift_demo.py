"""Li et al.'s variance shift, reproduced on synthetic data.

For each keep probability p, three small models train on the same
zero-mean synthetic regression data:

1. Dropout(1 - p) -> BatchNormalization -> Dense: dropout before BN;
2. the same model after `recalibrate_batchnorm` (BN statistics re-estimated
   with dropout off);
3. Dense -> BNActDropout(rate=1 - p) -> Dense: dropout after BN.

`measure_variance_shift` gives each BN's shift, Var_inference / moving
variance. Li et al. (arXiv 1801.05134) predict shift = p for the first
model; recalibration and the recommended order should give 1.

Run:
    python examples/variance_shift_demo.py [--quick] [--out DIR]

Writes DIR/variance_shift.png (the three measured curves and the theory
line shift = p) and DIR/variance_shift.csv; DIR defaults to
examples/results/.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from keras_ordering import BNActDropout
from keras_ordering.diagnostics import measure_variance_shift, recalibrate_batchnorm
from keras_ordering.diagnostics.variance_shift import (
    NO_NOISE_COLOUR,
    NOISE_UPSTREAM_COLOUR,
)

RESULTS = Path(__file__).resolve().parent / "results"
FEATURES = 32
# Moving statistics must converge for Li et al.'s prediction to hold: with
# momentum 0.9 they do within the few hundred steps of this demo.
MOMENTUM = 0.9


def synthetic_data(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, FEATURES)).astype("float32")  # Zero mean.
    weights = rng.normal(size=(FEATURES, 1)).astype("float32")
    y = np.tanh(x @ weights / np.sqrt(FEATURES)).astype("float32")
    return x, y


def dropout_before_bn(keep: float) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((FEATURES,)),
            keras.layers.Dropout(1.0 - keep, name="dropout"),
            keras.layers.BatchNormalization(momentum=MOMENTUM, name="bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )


def dropout_after_bn(keep: float) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((FEATURES,)),
            keras.layers.Dense(FEATURES, use_bias=False, name="dense"),
            BNActDropout(None, 1.0 - keep, momentum=MOMENTUM, name="bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )


def trained(model: keras.Model, x, y, epochs: int) -> keras.Model:
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return model


def measure(keeps, x, y, epochs: int) -> list[dict]:
    rows = []
    for keep in keeps:
        keras.utils.set_random_seed(0)
        before_bn = trained(dropout_before_bn(keep), x, y, epochs)
        shift = measure_variance_shift(before_bn, x, verbose=0)["bn"].shift
        recalibrated = recalibrate_batchnorm(before_bn, x, batch_size=512, verbose=0)
        after_bn = trained(dropout_after_bn(keep), x, y, epochs)
        fused_shift = measure_variance_shift(after_bn, x, verbose=0)["bn"].shift
        row = {
            "keep_probability": keep,
            "theory": keep,
            "dropout_before_bn": shift,
            "after_recalibration": recalibrated.after["bn"].shift,
            "bn_act_dropout": fused_shift,
        }
        rows.append(row)
        print(
            f"p = {keep:.2f}: dropout before BN {shift:.3f} (theory {keep:.2f}), "
            f"recalibrated {row['after_recalibration']:.3f}, "
            f"BNActDropout {fused_shift:.3f}",
            flush=True,
        )
    return rows


# Each curve's colour and legend entry. Red and blue mean what they mean in
# VarianceShiftReport.plot: a noise layer upstream of the BN, or none.
CURVES = (
    ("dropout_before_bn", "o-", NOISE_UPSTREAM_COLOUR, "Dropout -> BN: shifted, ~ p"),
    (
        "after_recalibration",
        "s-",
        "#ef6c00",
        "Dropout -> BN after recalibrate_batchnorm: ~ 1",
    ),
    ("bn_act_dropout", "^-", NO_NOISE_COLOUR, "BN -> Dropout (BNActDropout): ~ 1"),
)


def plot(rows: list[dict], path: Path) -> Any:
    """Saves the figure to `path`; returns its Axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keeps = [row["keep_probability"] for row in rows]
    figure, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(
        [0, 1],
        [0, 1],
        color="grey",
        linestyle="--",
        label="Li et al.'s theory: shift = p",
    )
    for key, style, colour, label in CURVES:
        ax.plot(keeps, [row[key] for row in rows], style, color=colour, label=label)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.3)
    ax.set_xlabel("keep probability p")
    ax.set_ylabel("Var_inference / moving variance")
    ax.set_title("Variance shift (Li et al. 2018), synthetic zero-mean data")
    ax.legend(
        loc="lower right",
        fontsize="small",
        title="measured shift of each model (1 = none)",
        title_fontsize="small",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return ax


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 values of p, 3 epochs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    keeps = (
        [0.3, 0.6, 0.9] if args.quick else [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    )
    epochs = 3 if args.quick else 10
    x, y = synthetic_data(4096)
    rows = measure(keeps, x, y, epochs)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "variance_shift.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, args.out / "variance_shift.png")
    print(f"wrote {args.out}/variance_shift.{{png,csv}}")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
