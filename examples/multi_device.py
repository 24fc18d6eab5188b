"""BNActDropout on several devices: synchronized batch statistics.

Three runnable demonstrations, each training one step on a global batch of
32 rows whose two halves differ strongly (mean 0 and mean 10), with
`momentum=0` so the moving statistics are the batch statistics:

    python examples/multi_device.py mirrored      # MirroredStrategy, 2 logical CPUs
    python examples/multi_device.py multi-worker  # MultiWorkerMirroredStrategy,
                                                  # 2 worker processes on 127.0.0.1
    KERAS_BACKEND=jax python examples/multi_device.py jax  # DataParallel, 2 CPUs

Each prints JSON: the moving mean and variance with `synchronized=True` and
`False` (TensorFlow), or with `keras.distribution.DataParallel` (JAX), next
to the statistics of the whole batch on one device.
"""

from __future__ import annotations

import faulthandler
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HALF = 16


def global_batch():
    import numpy as np

    rng = np.random.default_rng(0)
    return np.concatenate(
        [rng.normal(0, 1, (HALF, 4)), rng.normal(10, 3, (HALF, 4))]
    ).astype("float32")


def statistics_after_one_step(make_layer) -> list[list[float]]:
    """Moving mean and variance of the layer after one fit step on the batch."""
    import keras
    import numpy as np

    x = global_batch()
    model = keras.Sequential([keras.Input((4,)), make_layer()])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    model.fit(x, np.zeros_like(x), batch_size=2 * HALF, shuffle=False, verbose=0)
    layer = model.layers[0]
    return [
        np.asarray(layer.moving_mean).tolist(),
        np.asarray(layer.moving_variance).tolist(),
    ]


def mirrored() -> dict:
    """tf.distribute.MirroredStrategy over 2 logical CPU devices."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    # Must run before TensorFlow initializes its devices.
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    from keras_ordering import BNActDropout

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {"replicas": strategy.num_replicas_in_sync}
    for synchronized in (True, False):
        with strategy.scope():
            results["synchronized" if synchronized else "local"] = (
                statistics_after_one_step(
                    lambda s=synchronized: BNActDropout(
                        None, momentum=0.0, synchronized=s
                    )
                )
            )
    results["one_device"] = statistics_after_one_step(
        lambda: BNActDropout(None, momentum=0.0)
    )
    return results


def worker(out: str) -> None:
    """One process of the multi-worker demo; TF_CONFIG says which."""
    # Stop by itself if a collective hangs (a peer died, a port was taken).
    deadline = float(os.environ.get("KERAS_ORDERING_WORKER_DEADLINE_S", "150"))
    faulthandler.dump_traceback_later(deadline, exit=True)
    import numpy as np
    import tensorflow as tf

    from keras_ordering import BNActDropout

    task = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=60)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    # Each worker feeds its own half of the global batch.
    local = tf.constant(global_batch()[task * HALF : (task + 1) * HALF])
    results: dict = {"task": task}
    for synchronized in (True, False):
        with strategy.scope():
            layer = BNActDropout(None, momentum=0.0, synchronized=synchronized)
            layer.build((None, 4))

        @tf.function
        def step(batch, layer=layer):
            return layer(batch, training=True)

        strategy.run(step, args=(local,))
        results["synchronized" if synchronized else "local"] = [
            np.asarray(layer.moving_mean).tolist(),
            np.asarray(layer.moving_variance).tolist(),
        ]
    Path(out).write_text(json.dumps(results))


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def multi_worker(timeout: float = 200.0) -> dict:
    """Launches 2 worker processes with TF_CONFIG on loopback ports."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    with tempfile.TemporaryDirectory() as directory:
        outputs = [Path(directory) / f"worker{index}.json" for index in range(2)]
        processes = []
        for index, out in enumerate(outputs):
            config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
            env = {
                **os.environ,
                "TF_CONFIG": json.dumps(config),
                "KERAS_BACKEND": "tensorflow",
            }
            processes.append(
                subprocess.Popen(
                    [sys.executable, __file__, "worker", str(out)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        try:
            errors = [process.communicate(timeout=timeout)[1] for process in processes]
        finally:
            for process in processes:  # Bounded, even if a worker hangs.
                if process.poll() is None:
                    process.kill()
        for process, error in zip(processes, errors, strict=True):
            if process.returncode != 0:
                raise RuntimeError(f"worker failed:\n{error[-3000:]}")
        return {"workers": [json.loads(out.read_text()) for out in outputs]}


def jax_data_parallel() -> dict:
    """keras.distribution.DataParallel over 2 JAX CPU devices."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        # Must be set before JAX starts.
        os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count=2"
    import keras

    from keras_ordering import BNActDropout

    if keras.backend.backend() != "jax":
        raise SystemExit("run with KERAS_BACKEND=jax")
    one_device = statistics_after_one_step(lambda: BNActDropout(None, momentum=0.0))
    devices = keras.distribution.list_devices("cpu")
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices)
    )
    data_parallel = statistics_after_one_step(lambda: BNActDropout(None, momentum=0.0))
    try:
        BNActDropout(synchronized=True)
        error = ""
    except ValueError as raised:
        error = str(raised)
    return {
        "devices": len(devices),
        "data_parallel": data_parallel,
        "one_device": one_device,
        "synchronized_error": error,
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    demos = {
        "mirrored": mirrored,
        "multi-worker": multi_worker,
        "jax": jax_data_parallel,
    }
    if len(argv) == 2 and argv[0] == "worker":
        worker(argv[1])
        return
    if len(argv) != 1 or argv[0] not in demos:
        raise SystemExit(f"usage: {Path(__file__).name} {{{'|'.join(demos)}}}")
    print(json.dumps(demos[argv[0]]()))


if __name__ == "__main__":
    main(sys.argv[1:])
