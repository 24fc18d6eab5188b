"""Commands that load a model with Keras: fix, fuse, unfuse and `lint --load`.

What they may import (only installed packages, never the current
directory), what they print (no TensorFlow start-up noise), keras-hub
Functional subclasses, and output paths.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from keras_ordering import cli

REPOSITORY = Path(__file__).resolve().parents[1]
NOISE = ("cuInit", "oneDNN", "InitializeLog", "cuda drivers", "optimizer", "Traceback")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, "--isolated"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _run_module(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    """`python -m keras_ordering ...` from `cwd`, as a user runs it, with
    TensorFlow's log level left to the command line."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = str(REPOSITORY)
    return subprocess.run(
        [sys.executable, "-m", "keras_ordering", *argv, "--isolated"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def _risky_model():
    import keras

    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False, name="dense"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dense(2, name="head"),
        ]
    )


def test_rewrites_refuse_output_paths_they_cannot_write(capsys, tmp_path):
    source = tmp_path / "m.keras"
    source.write_bytes(b"")  # Never read: the output is checked first.
    folder = tmp_path / "folder.keras"
    folder.mkdir()
    for command in ("fix", "fuse", "unfuse"):
        code, _, err = run_cli(capsys, command, str(source), str(folder))
        assert code == 2 and err.count("\n") == 1
        assert f"{folder}: the output is a directory" in err
        missing = tmp_path / "missing" / "out.keras"
        code, _, err = run_cli(capsys, command, str(source), str(missing))
        assert code == 2 and err.count("\n") == 1
        assert f"directory {missing.parent} does not exist" in err


def _archive_naming(path: Path, module: str) -> Path:
    """A .keras file whose one custom layer names `module`."""
    layer = {
        "module": module,
        "class_name": "Evil",
        "config": {"name": "evil"},
        "registered_name": "Evil",
        "build_config": {"input_shape": [None, 4]},
    }
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "m",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 4], "name": "in"},
                },
                layer,
            ],
        },
        "registered_name": None,
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(config))
    return path


def _plant(cwd: Path, package: str) -> Path:
    """A package in `cwd` that leaves a marker file when imported."""
    marker = cwd / f"{package}.imported"
    (cwd / package).mkdir()
    (cwd / package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (cwd / package / "layers.py").write_text("class Evil: pass\n")
    return marker


@pytest.mark.slow
@pytest.mark.parametrize("package", ["keras_nlp", "keras_hub"])
def test_rewrites_never_import_modules_from_the_current_directory(tmp_path, package):
    marker = _plant(tmp_path, package)
    source = _archive_naming(tmp_path / "model.keras", f"{package}.layers")
    # The trap works: with the current directory on sys.path, Keras' safe
    # mode imports the planted package.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keras; keras.saving.load_model('model.keras', safe_mode=True)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert marker.exists(), probe.stderr[-2000:]
    marker.unlink()
    # keras_nlp is not installed: every command refuses it before loading.
    # keras_hub is: fuse loads the model, importing the installed package.
    commands = ("fix", "fuse", "unfuse") if package == "keras_nlp" else ("fuse",)
    for command in commands:
        result = _run_module(tmp_path, command, "model.keras", "out.keras")
        assert result.returncode == 2, result.stderr
        assert not marker.exists(), command
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"keras-ordering: error: {source.name}: ")
        if package == "keras_nlp":  # Not installed: refused before loading.
            assert "needs the keras_nlp package(s), which are not installed" in (
                result.stderr
            )


@pytest.mark.slow
def test_fix_prints_no_tensorflow_or_optimizer_noise(tmp_path):
    import keras
    import numpy as np

    model = _risky_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 8)), np.ones((8, 2)), verbose=0)
    # Frozen after training, as in fine-tuning: the saved optimizer state no
    # longer matches, and Keras warns "Skipping variable loading for
    # optimizer" on every load.
    model.get_layer("dense").trainable = False
    model.save(tmp_path / "trained.keras")
    result = _run_module(tmp_path, "fix", "trained.keras", "fixed.keras")
    assert result.returncode == 0, result.stderr
    assert "fixed KO101" in result.stdout
    for noise in NOISE:
        assert noise not in result.stderr, result.stderr
    assert result.stderr == ""
    assert keras.saving.load_model(tmp_path / "fixed.keras") is not None


def _small_resnet():
    keras_hub = pytest.importorskip("keras_hub")
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[64],
        input_conv_kernel_sizes=[3],
        stackwise_num_filters=[64, 64],
        stackwise_num_blocks=[1, 1],
        stackwise_num_strides=[1, 2],
        block_type="basic_block",
        use_pre_activation=False,
        image_shape=(32, 32, 3),
    )


@pytest.mark.slow
def test_keras_hub_backbones_lint_with_load(capsys, tmp_path):
    from keras_ordering import lint_model

    backbone = _small_resnet()
    path = tmp_path / "resnet.keras"
    backbone.save(path)
    # The static path cannot see the layers, and says why and what to do:
    # one KO001 line (exit 1; 0 with --exit-zero, as the CI recipe needs).
    code, out, err = run_cli(capsys, "lint", str(path))
    (line,) = [line for line in out.splitlines() if " KO001 " in line]
    assert code == 1 and err == "" and line.startswith(f"{path}: KO001 ")
    assert "Functional subclass" in line and "constructor arguments" in line
    assert "--load" in line and "subclassed model live" not in line
    assert run_cli(capsys, "lint", str(path), "--exit-zero")[0] == 0
    # --load builds it with keras-hub, in safe mode, and lints it live.
    code, out, err = run_cli(
        capsys, "lint", str(path), "--load", "--output-format", "json"
    )
    assert code == 0, err
    (entry,) = json.loads(out)
    expected = lint_model(backbone).to_dict()
    assert {**entry, "model": expected["model"]} == {"file": str(path), **expected}
    assert entry["rules"]


def test_load_refuses_plainly_when_the_package_is_missing(capsys, tmp_path):
    path = _archive_naming(tmp_path / "m.keras", "keras_nothere_pkg.layers")
    code, out, err = run_cli(capsys, "lint", str(path), "--load")
    assert code == 1 and err == ""
    assert (
        f"{path}: KO001 the model needs the keras_nothere_pkg "
        "package(s), which are not installed; keras-ordering imports only "
        "installed packages\n"
    ) in out


def test_load_keeps_lambda_code_refused(capsys, tmp_path):
    import keras

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0, name="double")]
    )
    path = tmp_path / "lambda.keras"
    model.save(path)
    code, out, err = run_cli(capsys, "lint", str(path), "--load")
    assert code == 1 and err == ""
    assert f"{path}: KO001 loading it needs unsafe deserialization" in out
    # The default, static path reads it and reports the opaque Lambda.
    code, out, _ = run_cli(capsys, "lint", str(path))
    assert code == 0 and "double (Lambda)" in out


def test_load_errors_are_one_line_without_the_config(capsys, tmp_path):
    path = _archive_naming(tmp_path / "m.keras", "keras.layers")  # No Evil there.
    code, out, err = run_cli(capsys, "lint", str(path), "--load")
    (line,) = [line for line in out.splitlines() if " KO001 " in line]
    assert code == 1 and err == ""
    assert len(line) < 400, line
    assert "cannot load the model" in line and '"build_config"' not in line
