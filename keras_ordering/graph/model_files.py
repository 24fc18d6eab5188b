"""Safe readers of model files: the config only, never weights, never code.

`.keras` archives are checked before anything is decompressed: the member
count and the central directory's size from the end record, before zipfile
parses the directory; then path traversal names, duplicate names, declared
size and compression ratio,
then only `config.json` is inflated, in bounded steps that stop one byte
past its declared size (itself capped), whatever the compression method;
encrypted members and unknown methods are refused. `.h5` files give their
`model_config` attribute through h5py, each attribute's type and declared
size checked before its value is read. `.json` files are read as they are.
Nothing is ever deserialized into Python objects beyond plain JSON data:
Lambda bytecode, custom objects and module names stay strings. Every
failure is a `ModelFileError` with a one-line message. No keras import.
"""

from __future__ import annotations

import bz2
import itertools
import json
import lzma
import os
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5", ".json")
MAX_CONFIG_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1_000
# The central directory's bytes, checked before zipfile parses it: a record
# is 46 bytes plus its name, extra field and comment; Keras writes a handful
# of short names.
MAX_CENTRAL_DIRECTORY_BYTES = 4 * 1024 * 1024
# JSON rarely deflates better than 20:1; a bomb deflates 1000:1 and more.
MAX_COMPRESSION_RATIO = 100


class ModelFileError(ValueError):
    """A model file that cannot be read safely; the message is one line.

    Attributes:
        path: the file.
        problem: what is wrong, one line.
        not_a_model: the file was read and is clearly not a Keras model
            (other JSON, an HDF5 file of weights only): a directory search
            skips it, while a file named explicitly is still an error.
        too_large: its graph would pass the builder's node bound: a refusal
            (exit 2 from the command line), not a finding.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        problem: str,
        not_a_model: bool = False,
        too_large: bool = False,
    ):
        self.path = str(path)
        self.problem = problem
        self.not_a_model = not_a_model
        self.too_large = too_large
        super().__init__(f"{self.path}: {problem}")


def _not_a_model_file(path: Path, suffix: str, expected: str) -> str:
    """Why `path` is not read, and what reads it instead."""
    if path.is_dir():
        if (path / "keras_metadata.pb").is_file():
            return (
                f"a tf.keras (Keras 2) SavedModel directory: {expected} (load it "
                "with tf_keras and save it as .keras or .h5)"
            )
        if (path / "saved_model.pb").is_file():
            return (
                f"a TensorFlow SavedModel directory, which holds no Keras config: "
                f"{expected} (save the model with model.save('model.keras'))"
            )
        return (
            f"a directory: lint_file reads one model file ({expected}); "
            "`keras-ordering lint DIR` searches a directory"
        )
    if not path.exists():
        return f"no such file (and not a model file: {expected})"
    if suffix == ".py":
        return (
            f"Python source, which is never run here: {expected}; build the "
            "model and call lint_model(model), or save it with "
            "model.save('model.keras') and lint that file"
        )
    return f"not a model file: {expected}"


def read_model_file(path: str | os.PathLike) -> tuple[dict[str, Any], Any]:
    """Returns `(model config, serialized loss or None)` from a model file.

    Raises:
        ModelFileError: unreadable, unsafe, truncated or not a model file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        expected = f"expected one of {', '.join(MODEL_SUFFIXES)}"
        raise ModelFileError(path, _not_a_model_file(path, suffix, expected))
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
        try:
            document = _json(path, path.read_bytes())
        except ModelFileError as error:
            # JSON with comments (tsconfig.json), or other text.
            raise ModelFileError(path, error.problem, not_a_model=True) from None
        return _split(path, document)
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
        _check_end_record(path)
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
            counts = Counter(member.filename for member in members)
            duplicates = sorted(name for name, count in counts.items() if count > 1)
            if duplicates:
                # zipfile (and so Keras) reads the last entry of a name; a
                # linter reading another one could be shown a different model.
                raise ModelFileError(
                    path,
                    f"duplicate archive member {duplicates[0]!r}: refusing an "
                    "archive whose entries can be read two ways",
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
        return _inflate_member(path, config)
    except ModelFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        struct.error,
        lzma.LZMAError,
        zlib.error,
    ) as error:
        raise ModelFileError(
            path, f"truncated or corrupt archive ({_one_line(error)})"
        ) from None


_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")


def _check_end_record(path: Path) -> None:
    """Refuses an archive whose end record declares more members, or a larger
    central directory, than allowed, before zipfile reads the directory
    (which it does in full, member by member, when it opens the file)."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        tail_size = min(size, _END.size + 0xFFFF)  # The comment is < 64 KiB.
        stream.seek(size - tail_size)
        tail = stream.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _END.size:
            return  # zipfile reports it.
        *_, members, directory_size, _, _ = _END.unpack_from(tail, at)
        locator_at = size - tail_size + at - _END64_LOCATOR.size
        if (members == 0xFFFF or directory_size == 0xFFFFFFFF) and locator_at >= 0:
            stream.seek(locator_at)
            locator = stream.read(_END64_LOCATOR.size)
            if len(locator) == _END64_LOCATOR.size and locator[:4] == b"PK\x06\x07":
                stream.seek(_END64_LOCATOR.unpack(locator)[2])
                record = stream.read(_END64.size)
                if len(record) == _END64.size and record[:4] == b"PK\x06\x06":
                    *_, members, directory_size, _ = _END64.unpack(record)
    if members > MAX_ARCHIVE_MEMBERS:
        raise ModelFileError(
            path,
            f"the archive has {members:,} members, over the "
            f"{MAX_ARCHIVE_MEMBERS:,} allowed",
        )
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise ModelFileError(
            path,
            f"the archive's central directory is {directory_size:,} bytes, over "
            f"the {MAX_CENTRAL_DIRECTORY_BYTES:,} allowed",
        )


def _inflate_member(path: Path, member: zipfile.ZipInfo) -> bytes:
    """A member's bytes, inflated in bounded steps.

    `zipfile` inflates a whole bzip2 or LZMA chunk at once, however large
    its output: a kilobyte of bzip2 can claim a small size and expand to
    gigabytes. Here no step produces more than the member's declared size
    (itself capped at `MAX_CONFIG_BYTES`) plus one byte, so a lying member is
    refused with at most that much memory used.
    """
    if member.flag_bits & _ENCRYPTED:
        raise ModelFileError(
            path, f"{member.filename} is encrypted; Keras cannot read it either"
        )
    if member.compress_type not in _METHODS:
        raise ModelFileError(
            path,
            f"{member.filename} uses zip compression method "
            f"{member.compress_type}; expected one of "
            f"{', '.join(_METHODS.values())}",
        )
    limit = min(member.file_size, MAX_CONFIG_BYTES)
    with path.open("rb") as stream:
        stream.seek(member.header_offset)
        header = stream.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise ModelFileError(
                path, f"truncated or corrupt archive (bad header of {member.filename})"
            )
        *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        encoding = "utf-8" if member.flag_bits & _UTF8_NAME else "cp437"
        local_name = stream.read(name_length).decode(encoding, "replace")
        if local_name != member.orig_filename:
            # zipfile (and so Keras) refuses such an entry too.
            raise ModelFileError(
                path,
                f"the local header of {member.filename!r} names another file "
                f"({local_name!r}): refusing an archive that can be read two ways",
            )
        stream.seek(extra_length, os.SEEK_CUR)
        data = _bounded_inflate(
            path, member, _raw_chunks(stream, member.compress_size), limit
        )
    if len(data) > limit:
        raise ModelFileError(
            path,
            f"{member.filename} inflates beyond its declared {member.file_size:,} "
            "bytes (zip bomb?)"
            if member.file_size <= MAX_CONFIG_BYTES
            else _too_big(len(data)),
        )
    if len(data) != member.file_size or zlib.crc32(data) != member.CRC:
        raise ModelFileError(
            path,
            f"truncated or corrupt archive ({member.filename} does not match its "
            "declared size and checksum)",
        )
    return bytes(data)


_ENCRYPTED = 0x1
_UTF8_NAME = 0x800
_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_READ_SIZE = 64 * 1024


def _raw_chunks(stream: Any, size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        chunk = stream.read(min(_READ_SIZE, left))
        if not chunk:
            raise EOFError("the archive ends inside a member")
        left -= len(chunk)
        yield chunk


def _bounded_inflate(
    path: Path, member: zipfile.ZipInfo, chunks: Iterator[bytes], limit: int
) -> bytearray:
    """At most `limit + 1` bytes of the member, whatever it claims to hold."""
    out = bytearray()
    method = member.compress_type
    if method == zipfile.ZIP_STORED:
        for chunk in chunks:
            out += chunk[: limit + 1 - len(out)]
            if len(out) > limit:
                break
        return out
    decompressor: Any
    if method == zipfile.ZIP_LZMA:
        decompressor, chunks = _lzma_decompressor(path, member, chunks, limit)
    elif method == zipfile.ZIP_BZIP2:
        decompressor = bz2.BZ2Decompressor()
    else:
        decompressor = zlib.decompressobj(-15)
    for chunk in chunks:
        data = chunk
        while len(out) <= limit:
            piece = decompressor.decompress(data, limit + 1 - len(out))
            out += piece
            if method == zipfile.ZIP_DEFLATED:
                data = decompressor.unconsumed_tail
                if not data or decompressor.eof:
                    break
            else:
                if decompressor.needs_input or decompressor.eof:
                    break
                data = b""
                if not piece:
                    break
        if len(out) > limit or decompressor.eof:
            break
    return out


def _lzma_decompressor(
    path: Path, member: zipfile.ZipInfo, chunks: Iterator[bytes], limit: int
) -> tuple[Any, Iterator[bytes]]:
    """The raw LZMA1 decoder of a zip member: a 4-byte header, then 5 bytes of
    properties (lc/lp/pb and the dictionary size), then the stream."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= 9:
            break
    if len(head) < 9 or int.from_bytes(head[2:4], "little") != 5:
        raise ModelFileError(
            path, f"truncated or corrupt archive (bad LZMA header in {member.filename})"
        )
    settings, dict_size = head[4], int.from_bytes(head[5:9], "little")
    # The decoder allocates the whole dictionary the header asks for (up to
    # 4 GiB), but a back-reference never reaches before the first byte, so a
    # dictionary as large as the output allowed is always enough.
    dict_size = max(4096, min(dict_size, limit + 1))
    lc, settings = settings % 9, settings // 9
    lp, pb = settings % 5, settings // 5
    decompressor = lzma.LZMADecompressor(
        lzma.FORMAT_RAW,
        filters=[
            {
                "id": lzma.FILTER_LZMA1,
                "lc": lc,
                "lp": lp,
                "pb": pb,
                "dict_size": dict_size,
            }
        ],
    )
    return decompressor, itertools.chain([head[9:]], chunks)


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
            raw = _h5_attribute(path, h5, "model_config")
            training = _h5_attribute(path, h5, "training_config")
    except ModelFileError:
        raise
    except (OSError, TypeError, ValueError, KeyError, RuntimeError) as error:
        # h5py raises these for files and attribute types it cannot read.
        raise ModelFileError(
            path, f"not a readable HDF5 file ({_one_line(error)})"
        ) from None
    if raw is None:
        raise ModelFileError(
            path,
            "no model_config attribute: not a Keras .h5 model (weights only?)",
            not_a_model=True,
        )
    raw = _attribute_text(path, "model_config", raw)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ModelFileError(path, _too_big(len(raw)))
    config = _json(path, raw)
    if not _is_model_config(config):
        raise ModelFileError(path, "model_config is not a Keras model config")
    loss = None
    if training is not None:
        training_config = _json(
            path, _attribute_text(path, "training_config", training)
        )
        if isinstance(training_config, dict):
            loss = training_config.get("loss")
    return config, loss


def _h5_attribute(path: Path, h5: Any, name: str) -> Any:
    """An attribute's value, read only once its type and declared size say it
    is one string that fits the limit: h5py allocates what the file declares,
    so a small file can otherwise ask for gigabytes."""
    if name not in h5.attrs:
        return None
    attribute = h5.attrs.get_id(name)
    shape, dtype = attribute.shape, attribute.dtype
    count = 1
    for extent in shape or ():
        count *= extent
    if shape is None or count != 1:
        raise ModelFileError(
            path,
            f"the {name} attribute holds {0 if shape is None else count:,} "
            "values, not one JSON text",
        )
    if dtype.kind not in "SOU":
        raise ModelFileError(path, f"the {name} attribute is a {dtype}, not JSON text")
    # A variable-length string lives in the file's heap, uncompressed: it is
    # never larger than the file; a fixed-length one declares its size.
    declared = attribute.get_storage_size() if dtype.kind != "O" else 0
    if max(declared, dtype.itemsize) > MAX_CONFIG_BYTES:
        raise ModelFileError(path, _too_big(max(declared, dtype.itemsize)))
    return h5.attrs[name]


def _json(path: Path, data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise ModelFileError(path, "invalid JSON (nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelFileError(path, f"invalid JSON ({_one_line(error)})") from None


def _one_line(error: BaseException) -> str:
    """An exception's text on one line, at most 200 characters."""
    return " ".join(str(error).split())[:200]


def _attribute_text(path: Path, name: str, value: Any) -> bytes:
    """An HDF5 attribute that must hold JSON text, as bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    raise ModelFileError(
        path, f"the {name} attribute is a {type(value).__name__}, not JSON text"
    )


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
            not_a_model=path.suffix.lower() == ".json",
        )
    compile_config = document.get("compile_config") or {}
    loss = compile_config.get("loss") if isinstance(compile_config, dict) else None
    return document, loss


# The directory search moved to `model_search`; its names stay importable
# from here (lazily: `model_search` imports this module).
_MOVED = ("DEFAULT_EXCLUDE", "WEIGHTS_SUFFIXES", "_GitIgnore", "search_model_files")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from . import model_search

        return getattr(model_search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
