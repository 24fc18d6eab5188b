"""The safe model-file readers against hostile and unusual files."""

from __future__ import annotations

import json
import struct
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from keras_ordering.graph.model_files import (
    MAX_CONFIG_BYTES,
    ModelFileError,
    read_model_file,
)

CONFIG = {
    "class_name": "Sequential",
    "config": {
        "name": "tiny",
        "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 2}},
        ],
    },
}
CONFIG_BYTES = json.dumps(CONFIG).encode()
# Offsets of fields in the zip headers (APPNOTE 4.3.7 and 4.3.12).
LOCAL_FLAGS, LOCAL_METHOD, LOCAL_SIZE = 6, 8, 22
CENTRAL_FLAGS, CENTRAL_METHOD, CENTRAL_SIZE = 8, 10, 24


def _zip(path: Path, members, compression=zipfile.ZIP_STORED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names.
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


def _patch(path: Path, field: tuple[int, int], fmt: str, value: int) -> None:
    """Sets one field of the first member's local and central headers."""
    data = bytearray(path.read_bytes())
    local, central = field
    struct.pack_into(fmt, data, local, value)
    struct.pack_into(fmt, data, data.rindex(b"PK\x01\x02") + central, value)
    path.write_bytes(bytes(data))


def _one_line_error(path: Path, *expected: str) -> str:
    with pytest.raises(ModelFileError) as caught:
        read_model_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for text in expected:
        assert text in message, message
    return message


@pytest.mark.parametrize(
    "compression",
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA],
)
def test_every_zip_method_keras_can_read_is_read(tmp_path, compression):
    path = _zip(tmp_path / "m.keras", [("config.json", CONFIG_BYTES)], compression)
    assert read_model_file(path) == (CONFIG, None)


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_small_member_that_inflates_hugely_is_refused_in_bounded_memory(
    tmp_path, compression
):
    # 32 MiB of zeros compress to a few hundred bytes; the member claims 1 KB,
    # so every size check made before inflating passes.
    bomb = _zip(
        tmp_path / "bomb.keras", [("config.json", bytes(32 << 20))], compression
    )
    assert bomb.stat().st_size < 8 * 1024
    _patch(bomb, (LOCAL_SIZE, CENTRAL_SIZE), "<L", 1024)
    tracemalloc.start()
    try:
        _one_line_error(bomb, "inflates beyond its declared 1,024 bytes")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # bzip2 needs up to 3.7 MB of tables; nothing near the 32 MiB inside.
    assert peak < 6 << 20, f"peak {peak:,} bytes"


def test_a_member_bigger_than_the_cap_stops_at_the_cap(tmp_path, monkeypatch):
    from keras_ordering.graph import model_files

    monkeypatch.setattr(model_files, "MAX_CONFIG_BYTES", 1000)
    monkeypatch.setattr(model_files, "MAX_COMPRESSION_RATIO", 10**9)
    path = _zip(tmp_path / "big.keras", [("config.json", bytes(5000))], 12)
    _one_line_error(path, "5,000 bytes, over the 1,000-byte limit")
    assert MAX_CONFIG_BYTES == 64 * 1024 * 1024


def test_encrypted_members_and_unknown_methods_are_refused(tmp_path):
    encrypted = _zip(tmp_path / "encrypted.keras", [("config.json", CONFIG_BYTES)])
    _patch(encrypted, (LOCAL_FLAGS, CENTRAL_FLAGS), "<H", 0x1)
    _one_line_error(encrypted, "config.json is encrypted")
    unknown = _zip(tmp_path / "ppmd.keras", [("config.json", CONFIG_BYTES)])
    _patch(unknown, (LOCAL_METHOD, CENTRAL_METHOD), "<H", 98)
    _one_line_error(unknown, "compression method 98", "stored, deflate, bzip2, lzma")


def test_duplicate_members_are_refused(tmp_path):
    evil = dict(CONFIG, config=dict(CONFIG["config"], name="evil"))
    path = _zip(
        tmp_path / "twice.keras",
        [("config.json", CONFIG_BYTES), ("config.json", json.dumps(evil).encode())],
    )
    # Keras reads the last entry of a name; a linter reading the first would
    # pass a model Keras never loads.
    assert json.loads(zipfile.ZipFile(path).read("config.json")) == evil
    _one_line_error(path, "duplicate archive member 'config.json'")


def test_a_local_header_naming_another_file_is_refused(tmp_path):
    path = _zip(tmp_path / "m.keras", [("config.json", CONFIG_BYTES)])
    data = path.read_bytes()
    path.write_bytes(data.replace(b"config.json", b"config.jsoN", 1))
    _one_line_error(path, "names another file")


def test_a_wrong_checksum_or_truncated_member_is_refused(tmp_path):
    path = _zip(tmp_path / "m.keras", [("config.json", CONFIG_BYTES)])
    data = bytearray(path.read_bytes())
    data[data.index(b'"tiny"') + 1] ^= 0x20
    path.write_bytes(bytes(data))
    _one_line_error(path, "truncated or corrupt archive")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
        ("{nope", "invalid JSON"),
        ("1" * 5000, "invalid JSON"),
    ],
)
def test_json_that_python_cannot_parse_is_one_line(tmp_path, text, expected):
    json_file = tmp_path / "m.json"
    json_file.write_text(text)
    _one_line_error(json_file, expected)
    archive = _zip(tmp_path / "m.keras", [("config.json", text)])
    _one_line_error(archive, expected)


def test_h5_attributes_that_are_not_json_text(tmp_path):
    h5py = pytest.importorskip("h5py")
    cases = {
        "training.h5": (json.dumps(CONFIG), np.arange(3), "training_config"),
        "model.h5": (np.int64(5), None, "model_config attribute is a"),
        "deep.h5": ("[" * 100_000 + "]" * 100_000, None, "nested too deeply"),
    }
    for name, (model_config, training_config, expected) in cases.items():
        path = tmp_path / name
        with h5py.File(path, "w") as h5:
            h5.attrs["model_config"] = model_config
            if training_config is not None:
                h5.attrs["training_config"] = training_config
        _one_line_error(path, expected)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("model.py", "Python source, which is never run here"),
        ("models", "a directory: lint_file reads one model file"),
        ("saved", "a TensorFlow SavedModel directory"),
        ("saved_keras2", "a tf.keras (Keras 2) SavedModel directory"),
        ("missing.py", "no such file"),
        ("notes.txt", "not a model file: expected one of .keras"),
    ],
)
def test_what_is_not_a_model_file_says_what_reads_it(tmp_path, name, expected):
    path = tmp_path / name
    if name == "model.py":
        path.write_text("import keras\nmodel = keras.Sequential()\n")
    elif name == "notes.txt":
        path.write_text("notes\n")
    elif name != "missing.py":
        path.mkdir()
        if name.startswith("saved"):
            (path / "saved_model.pb").write_bytes(b"")
        if name == "saved_keras2":
            (path / "keras_metadata.pb").write_bytes(b"")
    with pytest.raises(ModelFileError) as raised:
        read_model_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {expected}") and "\n" not in message
