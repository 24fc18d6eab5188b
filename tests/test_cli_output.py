"""Issue 23's terminal, CI and configuration points, and issue 19's bounded
readers: wrapping, concise output, files not linted (KO001) and exit codes,
SARIF titles and fingerprints, [tool.keras-ordering], search options, and
each problem reported once. In-process and static; no model is built."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from keras_ordering import cli
from keras_ordering.lint.output.text import report_text

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _tensor(source: str) -> dict:
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 4], "keras_history": [source, 0, 0]},
    }


def _model(chain: list[tuple[str, str, dict]], name: str = "m") -> dict:
    """A Functional config of `(class, layer name, config)` in a chain."""
    layers = [{"class_name": "InputLayer", "name": "in", "config": {"name": "in"}}]
    source = "in"
    for class_name, layer, config in chain:
        layers.append(
            {
                "class_name": class_name,
                "name": layer,
                "config": {"name": layer, **config},
                "inbound_nodes": [{"args": [_tensor(source)], "kwargs": {}}],
            }
        )
        source = layer
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "input_layers": [["in", 0, 0]],
            "output_layers": [[source, 0, 0]],
            "layers": layers,
        },
    }


DROPOUT_BN = [
    ("Dropout", "drop", {"rate": 0.5}),
    ("BatchNormalization", "bn", {}),
    ("Dense", "head", {"units": 2}),
]


def _write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document))
    return path


# --- Text wraps at word boundaries; concise is one line per finding ------------------


def test_text_wraps_to_the_terminal_width_without_breaking_words(
    capsys, tmp_path, monkeypatch
):
    long_name = "encoder_stage_three_block_two_dropout_before_the_norm"
    path = _write(
        tmp_path / "m.json",
        _model(
            [
                ("Dropout", long_name, {"rate": 0.5}),
                ("BatchNormalization", "bn_" + long_name, {}),
                ("Dense", "head", {"units": 2}),
            ]
        ),
    )
    from keras_ordering.lint.api import lint_file

    (finding,) = lint_file(path)
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run_cli(capsys, "lint", str(path), "--isolated")
    assert code == 1
    body = out.splitlines()[1:-1]  # The first line starts with the file path.
    assert body and all(len(line) <= 100 for line in body), body
    # Every word of the message and the fix is whole on some line.
    words = {word for line in body for word in line.split()}
    assert set(finding.message.split()) <= words
    assert set(finding.fix.split()) <= words
    # 60 columns: narrower, still whole words; only a word longer than the
    # line (a quoted layer name) overflows, alone on its line.
    text = report_text(lint_file(path), width=60)
    assert all(len(line) <= 60 or len(line.split()) == 1 for line in text.splitlines())
    assert set(finding.message.split()) <= set(text.split())


def test_concise_is_one_line_per_finding(capsys, tmp_path):
    path = _write(tmp_path / "m.json", _model(DROPOUT_BN))
    from keras_ordering.lint.api import lint_file

    (finding,) = lint_file(path)
    code, out, err = run_cli(
        capsys, "lint", str(path), "--isolated", "--output-format", "concise"
    )
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"{path}: drop -> bn: KO101 {finding.message}",
        "Found 1 finding (0 errors, 1 warning, 0 info) in 1 file.",
    ]
    code, out, _ = run_cli(
        capsys, "lint", str(path), "--isolated", "--output-format", "concise", "-q"
    )
    assert out.splitlines() == [f"{path}: drop -> bn: KO101 {finding.message}"]


# --- A file not linted: KO001 everywhere; exit codes as ruff's -----------------------


def _unlintable(tmp_path: Path) -> dict[str, Path]:
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    hub = _write(
        tmp_path / "backbone.json",
        {
            "module": "keras_hub.src.models.bert.bert_backbone",
            "class_name": "BertBackbone",
            "registered_name": "keras_hub>BertBackbone",
            "config": {"name": "bert", "num_layers": 2, "hidden_dim": 8},
        },
    )
    return {"corrupt": corrupt, "keras-hub without --load": hub}


@pytest.mark.parametrize(
    "output_format", ["text", "concise", "json", "sarif", "github"]
)
def test_a_file_not_linted_is_ko001_in_every_format(capsys, tmp_path, output_format):
    for label, path in _unlintable(tmp_path).items():
        argv = ["lint", str(path), "--isolated", "--output-format", output_format]
        code, out, err = run_cli(capsys, *argv)
        assert code == 1, label
        if output_format == "json":
            (entry,) = json.loads(out)
            assert entry["code"] == "KO001" and entry["file"] == str(path)
        elif output_format == "sarif":
            log = json.loads(out)
            jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(
                log
            )
            (result,) = log["runs"][0]["results"]
            assert result["ruleId"] == "KO001" and result["level"] == "error"
        elif output_format == "github":
            assert out.startswith(
                f"::error file={path},title=KO001 file-not-linted::"
            ), out
        else:
            assert f"{path}: KO001 " in out, label
        if output_format in ("json", "sarif", "github"):
            assert err.startswith(f"keras-ordering: error: {path}: "), err
        # Counted with the findings in --statistics.
        code, out, _ = run_cli(capsys, *argv, "--statistics", "--output-format", "text")
        assert code == 1 and "    1  KO001  error    file-not-linted" in out, out
        # The CI recipe's first run: always exit 0, so the upload happens.
        assert cli.main([*argv, "--exit-zero"]) == 0, label
        capsys.readouterr()


def test_ko001_is_documented_and_reserved(capsys):
    code, out, _ = run_cli(capsys, "rule", "KO001")
    assert code == 0 and out.startswith("# KO001 file-not-linted")
    assert "--exit-zero" in out
    from keras_ordering.lint.registry import check_catalogue
    from keras_ordering.lint.rule import Rule

    class Clash(Rule):
        code = "KO001"
        name = "clash"

    with pytest.raises(RuntimeError, match="KO0xx codes are the tool's own"):
        check_catalogue([Clash])


def test_the_ci_recipe_exits_0_on_an_empty_directory(capsys, tmp_path):
    empty = tmp_path / "models"
    empty.mkdir()
    sarif_file = tmp_path / "out.sarif"
    argv = ["lint", str(empty), "--isolated", "--output-format", "sarif"]
    code, out, err = run_cli(capsys, *argv, "--exit-zero", "-o", str(sarif_file))
    assert code == 0 and out == ""
    assert err == (
        f"keras-ordering: warning: {empty}: no model files "
        "(.keras, .h5, .hdf5, .json) found\n"
    )
    log = json.loads(sarif_file.read_text())
    assert log["runs"][0]["results"] == []
    # And without --exit-zero: a warning, exit 0, as ruff.
    assert cli.main(argv) == 0


def test_a_missing_file_prints_no_summary_of_nothing(capsys, tmp_path):
    missing = tmp_path / "missing.keras"
    code, out, err = run_cli(capsys, "lint", str(missing), "--isolated")
    assert code == 1 and err == ""
    assert out == (
        f"{missing}: KO001 no such file or directory\n"
        "1 file could not be linted (KO001).\n"
    )
    assert "Found 0" not in out


def test_usage_errors_stay_exit_2_even_with_exit_zero(capsys, tmp_path):
    path = _write(tmp_path / "m.json", _model(DROPOUT_BN))
    code, _, err = run_cli(capsys, "lint", str(path), "--select", "KO9", "--exit-zero")
    assert code == 2
    # On the command line, the command that lists the rules.
    assert "`keras-ordering rules` lists them." in err
    assert "keras_ordering.rules()" not in err
    assert err.count("\n") == 1


# --- SARIF: the rule's short name as title, stable fingerprints -------------------


def _sarif(capsys, path: Path) -> dict:
    code, out, _ = run_cli(
        capsys, "lint", str(path), "--isolated", "--output-format", "sarif"
    )
    assert code == 1
    return json.loads(out)["runs"][0]


def _fingerprints(run: dict) -> dict[str, str]:
    return {
        r["ruleId"]
        + " "
        + r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r[
            "partialFingerprints"
        ]["kerasOrdering/v1"]
        for r in run["results"]
    }


def test_sarif_fingerprints_stay_when_unrelated_layers_change(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    path = Path("model.json")
    _write(path, _model(DROPOUT_BN))
    before = _fingerprints(_sarif(capsys, path))
    assert list(before) == ["KO101 drop -> bn"]
    # Unrelated layers added before and after, and the head renamed.
    _write(
        path,
        _model(
            [
                ("Dense", "stem", {"units": 4, "use_bias": False}),
                ("ReLU", "stem_relu", {}),
                *DROPOUT_BN[:2],
                ("Dense", "new_head", {"units": 3}),
                ("Softmax", "probabilities", {}),
            ]
        ),
    )
    after = _fingerprints(_sarif(capsys, path))
    assert after["KO101 drop -> bn"] == before["KO101 drop -> bn"]
    # The fingerprint does follow the finding: another layer path, another one.
    _write(path, _model([("Dropout", "drop2", {"rate": 0.5}), *DROPOUT_BN[1:]]))
    (moved,) = _fingerprints(_sarif(capsys, path)).values()
    assert moved != before["KO101 drop -> bn"]


def test_sarif_titles_are_short_names(capsys, tmp_path):
    run = _sarif(capsys, _write(tmp_path / "m.json", _model(DROPOUT_BN)))
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    for code, rule in rules.items():
        title = rule["shortDescription"]["text"]
        assert title == rule["name"].replace("-", " ").capitalize(), code
        assert len(title) < 50 and not title.endswith("."), code
        assert rule["fullDescription"]["text"] != title


# --- Configuration ------------------------------------------------------------------


@pytest.mark.parametrize("table", ["keras-ordering", "keras_ordering"])
def test_both_spellings_of_the_table_are_read(capsys, tmp_path, table):
    path = _write(tmp_path / "m.json", _model(DROPOUT_BN))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[tool.{table}]\nignore = ["KO101"]\n')
    code, out, _ = run_cli(capsys, "lint", str(path), "--config", str(pyproject))
    assert code == 0 and "KO101" not in out


def test_both_tables_at_once_are_refused_in_one_line(capsys, tmp_path):
    path = _write(tmp_path / "m.json", _model(DROPOUT_BN))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.keras-ordering]\nignore = ["KO101"]\n[tool.keras_ordering]\n'
    )
    code, _, err = run_cli(capsys, "lint", str(path), "--config", str(pyproject))
    assert code == 2 and err.count("\n") == 1
    assert "both [tool.keras-ordering] and [tool.keras_ordering]" in err


def test_exclude_extend_exclude_and_per_file_ignores(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for directory in ("models", "legacy", "scratch"):
        (tmp_path / directory).mkdir()
        _write(tmp_path / directory / "m.json", _model(DROPOUT_BN))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[tool.keras-ordering]\n"
        'extend-exclude = ["scratch"]\n'
        'per-file-ignores = { "legacy/*" = ["KO1"] }\n'
    )
    code, out, _ = run_cli(capsys, "lint", ".")
    assert code == 1
    assert "models/m.json: Model 'm': 1 finding" in out
    assert "legacy/m.json: Model 'm': 0 findings" in out
    assert "scratch" not in out
    # The flags add to the file's.
    code, out, _ = run_cli(
        capsys, "lint", ".", "--per-file-ignores", "models/m.json:KO101"
    )
    assert code == 0 and "in 2 files" in out
    # `exclude` replaces the default list, as --exclude.
    pyproject.write_text('[tool.keras-ordering]\nexclude = ["models", "legacy"]\n')
    code, out, _ = run_cli(capsys, "lint", ".")
    assert "scratch/m.json" in out and "models/m.json" not in out
    # check() and LintCallback lint one model: the search keys do not reach them.
    from keras_ordering.lint.config import with_config

    assert with_config({}, pyproject) == {}
    pyproject.write_text(
        '[tool.keras-ordering]\nper-file-ignores = { "x" = ["KO9"] }\n'
    )
    code, _, err = run_cli(capsys, "lint", ".")
    assert code == 2 and "Unknown rule selector 'KO9'" in err


@pytest.mark.parametrize("selection", [["--select", "KO1"], ["--select", "ALL"]])
def test_one_problem_is_reported_once_whatever_is_selected(capsys, tmp_path, selection):
    direct = _write(tmp_path / "direct.json", _model(DROPOUT_BN))
    _, out, _ = run_cli(
        capsys, "lint", str(direct), "--isolated", "--output-format", "json", *selection
    )
    (entry,) = json.loads(out)
    assert [f["code"] for f in entry["findings"]] == ["KO101"]
    # What only KO120 sees is still reported by it.
    through = _write(
        tmp_path / "through.json",
        _model(
            [
                ("Dropout", "drop", {"rate": 0.5}),
                ("Dense", "dense", {"units": 4, "use_bias": False}),
                ("BatchNormalization", "bn", {}),
            ]
        ),
    )
    _, out, _ = run_cli(
        capsys,
        "lint",
        str(through),
        "--isolated",
        "--output-format",
        "json",
        *selection,
    )
    (entry,) = json.loads(out)
    assert "KO120" in [f["code"] for f in entry["findings"]]


# --- --help --------------------------------------------------------------------------


def test_help_is_consistent(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    commands = out.split("commands:", 1)[1].splitlines()[2:]
    helps = [line.split(None, 1)[1] for line in commands if line.strip()]
    assert len(helps) == 6 and all(text[0].islower() for text in helps), helps
    assert cli.main(["lint", "--help"]) == 0
    out = capsys.readouterr().out
    assert "  PATH  " in out or "\n  PATH" in out
    path_help = out.split("positional arguments:", 1)[1].split("\n\n", 1)[0]
    assert "directory to search" in " ".join(path_help.split())


# --- Bounded readers -----------------------------------------------------------------


def test_stacked_double_stars_in_gitignore_do_not_hang_the_search(tmp_path):
    # 37 bytes of stacked `**/` that match nothing, and a deep empty tree:
    # the hand-written regex translation backtracked past 30 s here.
    (tmp_path / ".gitignore").write_text("**/" * 11 + "zzz\n")
    assert (tmp_path / ".gitignore").stat().st_size == 37
    deep = tmp_path.joinpath(*["d"] * 30)
    deep.mkdir(parents=True)
    # A subprocess with a timeout: a hang guard, not a speed claim.
    result = subprocess.run(
        [sys.executable, "-m", "keras_ordering", "lint", str(tmp_path), "--isolated"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "no model files" in result.stderr


def test_the_search_module_imports_on_its_own():
    # model_files re-exports the search's names lazily: either module imports
    # first, in a fresh interpreter.
    for module in ("model_search", "model_files"):
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import keras_ordering.graph.{module}\n"
                "from keras_ordering.graph.model_files import search_model_files",
            ],
            check=True,
            env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": ""},
        )


def test_gitignore_nearest_file_wins_and_patterns_are_named(tmp_path):
    from keras_ordering.graph.model_search import search_model_files

    (tmp_path / ".gitignore").write_text("*.json\n")
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / ".gitignore").write_text("!m.json\n")
    _write(tmp_path / "m.json", _model(DROPOUT_BN))
    _write(tmp_path / "keep" / "m.json", _model(DROPOUT_BN))
    files, skipped, _ = search_model_files(tmp_path)
    assert files == [tmp_path / "keep" / "m.json"]
    assert (tmp_path / "m.json", "ignored by .gitignore pattern '*.json'") in skipped


def _crowded_zip(path: Path, members: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(members):
            archive.writestr(f"m{index}", b"")
    return path


def test_the_member_cap_applies_before_the_central_directory_is_parsed(
    tmp_path, monkeypatch
):
    from keras_ordering.graph import model_files
    from keras_ordering.graph.model_files import ModelFileError, read_model_file

    crowded = _crowded_zip(tmp_path / "crowded.keras", 1_001)
    liar = bytearray(_crowded_zip(tmp_path / "liar.keras", 500).read_bytes())

    class Refused(zipfile.ZipFile):
        def __init__(self, *args, **kwargs):
            raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(model_files.zipfile, "ZipFile", Refused)
    with pytest.raises(ModelFileError, match="1,001 members"):
        read_model_file(crowded)
    # An end record that understates the count: the directory's size stops it.
    monkeypatch.setattr(model_files, "MAX_CENTRAL_DIRECTORY_BYTES", 10_000)
    end = liar.rfind(b"PK\x05\x06")
    liar[end + 8 : end + 12] = (3).to_bytes(2, "little") * 2
    (tmp_path / "liar.keras").write_bytes(liar)
    with pytest.raises(ModelFileError, match="central directory is"):
        read_model_file(tmp_path / "liar.keras")


def test_h5_attributes_are_size_checked_before_they_are_read(tmp_path, monkeypatch):
    h5py = pytest.importorskip("h5py")
    import numpy as np

    from keras_ordering.graph import model_files
    from keras_ordering.graph.model_files import ModelFileError, read_model_file

    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = np.bytes_(b" " * 5000)  # Fixed-length.
    array = tmp_path / "array.h5"
    with h5py.File(array, "w") as h5:
        h5.attrs["model_config"] = np.array([b"{}"] * 3)
    read = []
    real = h5py.AttributeManager.__getitem__

    def spy(self, name):
        read.append(name)
        return real(self, name)

    monkeypatch.setattr(h5py.AttributeManager, "__getitem__", spy)
    monkeypatch.setattr(model_files, "MAX_CONFIG_BYTES", 4096)
    with pytest.raises(ModelFileError, match="over the 4,096-byte limit"):
        read_model_file(path)
    with pytest.raises(ModelFileError, match="holds 3 values, not one JSON text"):
        read_model_file(array)
    assert read == []  # Refused from the type and size alone.
