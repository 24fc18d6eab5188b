"""Fuzzing the static readers: every file is a report or a `ModelFileError`.

Real configs (the Keras 2 files in tests/data, Keras 3 Functional configs
shaped like the ones Keras writes) are mutated by hypothesis: values
replaced by hostile ones (huge integers, infinities, wrong types), keys
deleted, archives with flipped or missing bytes. Whatever comes out, lint
gives a `LintReport` or raises a `ModelFileError` with a one-line message;
any other exception is a bug. Bounded to a few seconds for the default run.
"""

from __future__ import annotations

import copy
import io
import json
import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_static_lint import (
    chain_config,
    dropouts_before_batchnorm_config,
)
from keras_ordering.graph.model_files import ModelFileError, read_model_file
from keras_ordering.lint.api import lint_file
from keras_ordering.lint.report import LintReport

KERAS2 = Path(__file__).resolve().parents[1] / "data" / "keras2"
CORPUS = [
    json.loads((KERAS2 / "k2_functional.json").read_text()),
    json.loads((KERAS2 / "k2_sequential.json").read_text()),
    chain_config(9, "shuffled"),
    dropouts_before_batchnorm_config(3),
]
KEYS = [
    "class_name",
    "config",
    "layers",
    "name",
    "inbound_nodes",
    "args",
    "kwargs",
    "keras_history",
    "input_layers",
    "output_layers",
    "rate",
    "units",
    "activation",
    "layer",
    "build_config",
    "input_shape",
    "batch_shape",
    "axis",
    "data_format",
    "__keras_tensor__",
]
HOSTILE = st.sampled_from(
    [
        10**400,
        -(10**30),
        2**63,
        -1,
        0,
        math.inf,
        -math.inf,
        math.nan,
        1e308,
        "",
        "relu",
        "softmax",
        "Dropout",
        "BatchNormalization",
        "Functional",
        "Sequential",
        None,
        True,
        [],
        {},
        [[[]]],
        ["a", 0, 0],
        {"class_name": "__keras_tensor__", "config": {}},
    ]
)
VALUES = st.recursive(
    HOSTILE | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(KEYS) | st.text(max_size=3), inner, max_size=3
        )
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)))
        replacement = data.draw(VALUES)
        if not path:
            document = replacement
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
    return document


def _assert_report_or_one_line_error(path: Path) -> None:
    try:
        report = lint_file(path, select="ALL")
    except ModelFileError as error:
        assert "\n" not in str(error)
        assert str(error).startswith(str(path))
    else:
        assert isinstance(report, LintReport)
        str(report), report.to_json()  # Every view renders.


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=st.data())
def test_mutated_json_configs(data):
    document = _mutate(data.draw(st.sampled_from(CORPUS)), data)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.json"
        path.write_text(json.dumps(document))
        _assert_report_or_one_line_error(path)


def _archive(document: Any, compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("metadata.json", b'{"keras_version": "3.15.1"}')
        archive.writestr("config.json", json.dumps(document))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    return buffer.getvalue()


@FUZZ
@given(data=st.data())
def test_mutated_keras_archives(data):
    compression = data.draw(
        st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
    )
    archive = bytearray(_archive(data.draw(st.sampled_from(CORPUS)), compression))
    for _ in range(data.draw(st.integers(0, 6))):
        archive[data.draw(st.integers(0, len(archive) - 1))] = data.draw(
            st.integers(0, 255)
        )
    cut = data.draw(st.integers(1, len(archive)))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.keras"
        path.write_bytes(bytes(archive[:cut]))
        _assert_report_or_one_line_error(path)


def test_the_corpus_itself_lints():
    with tempfile.TemporaryDirectory() as directory:
        for index, document in enumerate(CORPUS):
            path = Path(directory) / f"model{index}.keras"
            path.write_bytes(_archive(document, zipfile.ZIP_DEFLATED))
            assert isinstance(lint_file(path), LintReport)
            assert read_model_file(path)[0] == document
