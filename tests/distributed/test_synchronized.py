"""Synchronized batch statistics across replicas, workers and JAX devices.

Runs `examples/multi_device.py`, the README's runnable examples, and
`_per_replica_batches.py` (one batch per replica through `strategy.run`) in
fresh processes: logical devices, TF_CONFIG and XLA flags must be set before
the framework starts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "multi_device.py"
RNG = np.random.default_rng(0)
BATCH = np.concatenate([RNG.normal(0, 1, (16, 4)), RNG.normal(10, 3, (16, 4))]).astype(
    "float32"
)  # The examples' global batch.
pytestmark = [pytest.mark.distributed, pytest.mark.slow]


def statistics(rows: np.ndarray) -> list[np.ndarray]:
    return [rows.mean(axis=0), rows.var(axis=0)]


def run_demo(name: str, **env: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), name],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_statistics(actual, expected, atol=1e-4) -> None:
    for got, want in zip(actual, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=atol, rtol=1e-5)


def test_mirrored_strategy_on_two_logical_cpus():
    result = run_demo("mirrored", KERAS_BACKEND="tensorflow")
    assert result["replicas"] == 2
    assert_statistics(result["one_device"], statistics(BATCH))
    # synchronized=True: the global statistics, as on one device.
    assert_statistics(result["synchronized"], result["one_device"])
    # synchronized=False: each replica uses its own half; the moving statistics
    # keep the first replica's, far from the global ones.
    assert_statistics(result["local"], statistics(BATCH[:16]))
    assert np.abs(np.subtract(result["local"][0], BATCH.mean(axis=0))).min() > 1.0


def test_strategy_run_with_different_batches_per_replica():
    # BNActDropout called in strategy.run, each replica on its own batch: the
    # synchronized statistics are those of both batches, the local ones each
    # replica's own, and the two differ by far.
    script = Path(__file__).with_name("_per_replica_batches.py")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KERAS_BACKEND": "tensorflow"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    rng = np.random.default_rng(0)
    batches = [rng.normal(0, 1, (16, 4)), rng.normal(10, 3, (16, 4))]
    both = np.concatenate(batches)

    synchronized = report["synchronized"]
    assert_statistics(synchronized["moving"], statistics(both))
    assert_statistics(synchronized["moving"], report["keras_synchronized"]["moving"])
    mean, variance = statistics(both)
    for batch, output in zip(batches, synchronized["outputs"], strict=True):
        expected = (batch - mean) / np.sqrt(variance + 1e-3)
        np.testing.assert_allclose(output, expected, atol=1e-3)

    local = report["local"]
    # A mirrored variable reads as the first replica's copy.
    assert_statistics(local["moving"], statistics(batches[0]))
    for batch, output in zip(batches, local["outputs"], strict=True):
        own_mean, own_variance = statistics(batch)
        expected = (batch - own_mean) / np.sqrt(own_variance + 1e-3)
        np.testing.assert_allclose(output, expected, atol=1e-3)
    # Synchronized != local: the second replica's output is centred on the
    # global mean only with synchronized statistics ((10 - 5) / sqrt(30) > 0.5).
    assert np.mean(synchronized["outputs"][1]) > 0.5
    assert np.abs(np.mean(local["outputs"][1])) < 1e-3


def test_multi_worker_mirrored_strategy_with_two_processes():
    result = run_demo("multi-worker", KERAS_BACKEND="tensorflow")
    for index, worker in enumerate(result["workers"]):
        assert worker["task"] == index
        assert_statistics(worker["synchronized"], statistics(BATCH))
        own_half = BATCH[index * 16 : (index + 1) * 16]
        assert_statistics(worker["local"], statistics(own_half))


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs jax")
def test_jax_data_parallel_statistics_are_global():
    result = run_demo(
        "jax",
        KERAS_BACKEND="jax",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
    )
    assert result["devices"] == 2
    assert_statistics(result["one_device"], statistics(BATCH))
    # The batch is sharded over the devices and the jitted step reduces over
    # the whole, global batch: statistics are global without synchronization.
    assert_statistics(result["data_parallel"], statistics(BATCH))
    assert "only supported with the TensorFlow backend" in result["synchronized_error"]


def test_a_worker_without_its_peer_stops_by_itself(tmp_path):
    import time

    from tests.distributed import _example

    port, missing = _example.free_ports(2)
    config = {
        "cluster": {"worker": [f"127.0.0.1:{port}", f"127.0.0.1:{missing}"]},
        "task": {"type": "worker", "index": 0},
    }
    env = {
        **os.environ,
        "TF_CONFIG": json.dumps(config),
        "KERAS_BACKEND": "tensorflow",
        "KERAS_ORDERING_WORKER_DEADLINE_S": "20",
    }
    start = time.monotonic()
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "worker", str(tmp_path / "out.json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # The test's own bound; the worker must stop well before.
    )
    assert process.returncode != 0
    assert time.monotonic() - start < 90
    assert not (tmp_path / "out.json").exists()
