"""Safe readers of model files: the config only, never weights, never code.

`.keras` archives are checked before anything is decompressed (member count,
path traversal names, declared size, compression ratio), then only
`config.json` is read, with a hard cap on the bytes actually produced. `.h5`
files give their `model_config` attribute through h5py. `.json` files are
read as they are. Nothing is ever deserialized into Python objects beyond
plain JSON data: Lambda bytecode, custom objects and module names stay
strings. No keras import.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5", ".json")
MAX_CONFIG_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1_000
# JSON rarely deflates better than 20:1; a bomb deflates 1000:1 and more.
MAX_COMPRESSION_RATIO = 100


class ModelFileError(ValueError):
    """A model file that cannot be read safely; the message is one line."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def read_model_file(path: str | os.PathLike) -> tuple[dict[str, Any], Any]:
    """Returns `(model config, serialized loss or None)` from a model file.

    Raises:
        ModelFileError: unreadable, unsafe, truncated or not a model file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise ModelFileError(
            path, f"not a model file: expected one of {', '.join(MODEL_SUFFIXES)}"
        )
    if not path.is_file():
        raise ModelFileError(
            path, "no such file" if not path.exists() else "not a file"
        )
    try:
        if suffix == ".keras":
            document = _json(path, _read_keras_config(path))
            return _split(path, document)
        if suffix in (".h5", ".hdf5"):
            return _read_h5(path)
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ModelFileError(path, _too_big(path.stat().st_size))
        return _split(path, _json(path, path.read_bytes()))
    except OSError as error:
        raise ModelFileError(
            path, f"cannot read the file ({error.strerror or error})"
        ) from None


def _too_big(size: int) -> str:
    return (
        f"the model config is {size:,} bytes, over the {MAX_CONFIG_BYTES:,}-byte limit"
    )


def _read_keras_config(path: Path) -> bytes:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            starts_like_a_zip = stream.read(4) == b"PK\x03\x04"
        if starts_like_a_zip:
            raise ModelFileError(
                path, "truncated or corrupt archive (no zip central directory)"
            )
        raise ModelFileError(path, "not a .keras archive (not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise ModelFileError(
                    path,
                    f"the archive has {len(members):,} members, over the "
                    f"{MAX_ARCHIVE_MEMBERS:,} allowed",
                )
            for member in members:
                if _unsafe_name(member.filename):
                    raise ModelFileError(
                        path, f"unsafe member name {member.filename!r} (path traversal)"
                    )
            config = next((m for m in members if m.filename == "config.json"), None)
            if config is None:
                raise ModelFileError(path, "no config.json in the archive")
            if config.file_size > MAX_CONFIG_BYTES:
                raise ModelFileError(path, _too_big(config.file_size))
            ratio = config.file_size / max(config.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise ModelFileError(
                    path,
                    f"config.json compresses {ratio:,.0f}:1, over the "
                    f"{MAX_COMPRESSION_RATIO}:1 allowed (zip bomb?)",
                )
            with archive.open(config) as stream:
                data = stream.read(MAX_CONFIG_BYTES + 1)
            if len(data) > MAX_CONFIG_BYTES:
                raise ModelFileError(path, _too_big(len(data)))
            return data
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise ModelFileError(path, f"truncated or corrupt archive ({error})") from None


def _unsafe_name(name: str) -> bool:
    normalized = name.replace("\\", "/")
    parts = PurePosixPath(normalized).parts
    return (
        normalized.startswith("/")
        or (len(normalized) > 1 and normalized[1] == ":")
        or ".." in parts
    )


def _read_h5(path: Path) -> tuple[dict[str, Any], Any]:
    try:
        import h5py
    except ImportError:
        raise ModelFileError(
            path, "reading .h5 files needs h5py: pip install 'keras-ordering[h5]'"
        ) from None
    try:
        with h5py.File(path, "r") as h5:
            raw = h5.attrs.get("model_config")
            training = h5.attrs.get("training_config")
    except OSError as error:
        raise ModelFileError(path, f"not a readable HDF5 file ({error})") from None
    if raw is None:
        raise ModelFileError(path, "no model_config attribute: not a Keras .h5 model")
    raw = raw if isinstance(raw, bytes) else str(raw).encode()
    if len(raw) > MAX_CONFIG_BYTES:
        raise ModelFileError(path, _too_big(len(raw)))
    config = _json(path, raw)
    if not _is_model_config(config):
        raise ModelFileError(path, "model_config is not a Keras model config")
    loss = None
    if training is not None:
        training_config = _json(path, training)
        if isinstance(training_config, dict):
            loss = training_config.get("loss")
    return config, loss


def _json(path: Path, data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelFileError(path, f"invalid JSON ({error})") from None


def _is_model_config(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("class_name"), str)
        and isinstance(document.get("config"), dict)
    )


def _split(path: Path, document: Any) -> tuple[dict[str, Any], Any]:
    """The model config and its loss, from a `.keras` / `.json` document."""
    if not _is_model_config(document):
        raise ModelFileError(
            path,
            "not a Keras model config (expected a JSON object with "
            "'class_name' and 'config')",
        )
    compile_config = document.get("compile_config") or {}
    loss = compile_config.get("loss") if isinstance(compile_config, dict) else None
    return document, loss


def find_model_files(path: str | os.PathLike) -> list[Path]:
    """Model files under a directory, recursively, sorted; hidden dirs skipped."""
    root = Path(path)
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        found.extend(
            Path(directory) / name
            for name in sorted(files)
            if Path(name).suffix.lower() in MODEL_SUFFIXES
        )
    return found
