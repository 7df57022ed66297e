"""`tracktwo analyze`: JSON that follows the schema, one-line errors with exit code 2."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from click.testing import CliRunner

from tracktwo.cli import main
from tracktwo.parts.dialogues.opinion import analyze, read_polis_export

SCHEMA = json.loads(files("tracktwo").joinpath("schemas/analysis.schema.json").read_text())


@pytest.fixture(scope="module")
def london(polis_root: Path) -> Path:
    return polis_root / "london.youth.policing"


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_json_output_follows_the_schema_and_the_library(london: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    runner = CliRunner()
    outcome = runner.invoke(main, ["analyze", str(london), "--json", str(out)])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    export = read_polis_export(london)
    expected = json.loads(analyze(export.votes, statements=export.statements).to_json())
    assert document == expected
    assert document["sides"] is None and document["cross_side"] is None
    assert len(document["participants"]) == 26
    assert {s["id"] for s in document["statements"]} >= {1, 4, 5}


def test_sides_file_and_settings(london: Path, tmp_path: Path) -> None:
    export = read_polis_export(london)
    participants = sorted(export.votes["participant"].unique())
    sides = pd.DataFrame(
        {"participant": participants, "side": ["north" if p % 2 else "south" for p in participants]}
    )
    sides_file = tmp_path / "sides.csv"
    sides.to_csv(sides_file, index=False)
    runner = CliRunner()
    outcome = runner.invoke(
        main,
        [
            "analyze",
            str(london),
            "--json",
            "-",
            "--sides",
            str(sides_file),
            "-s",
            "cross_side_threshold=0.6",
            "-s",
            "max_k=2",
            "--progress",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    jsonschema.validate(document, SCHEMA)
    assert [s["side"] for s in document["sides"]] == ["north", "south"]
    assert document["settings"]["cross_side_threshold"] == 0.6
    assert all(entry["k"] == 2 for entry in document["silhouettes"])
    assert all(len(s["sides"]) == 2 for s in document["statements"])


def test_replay_option(london: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(main, ["analyze", str(london), "--replay", "--json", "-"])
    assert outcome.exit_code == 0, outcome.output
    jsonschema.validate(json.loads(outcome.stdout), SCHEMA)


def test_summary_without_json(london: Path) -> None:
    outcome = CliRunner().invoke(main, ["analyze", str(london)])
    assert outcome.exit_code == 0
    assert outcome.output.startswith("26 participants, 39 statements, 638 votes;")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ("missing-folder", "is not a folder"),
        ("no-votes", "votes.csv is missing"),
        ("bad-votes", "votes.csv has vote values other than -1, 0 and 1"),
        ("bad-setting", "Unknown analysis setting 'nonsense'"),
        ("bad-setting-syntax", "--setting expects NAME=VALUE"),
        ("bad-sides", "needs the columns participant and side"),
    ],
)
def test_errors_exit_2_with_one_line(
    london: Path, tmp_path: Path, change: str, fragment: str
) -> None:
    folder = tmp_path / "export"
    shutil.copytree(london, folder)
    arguments = ["analyze", str(folder)]
    if change == "missing-folder":
        arguments = ["analyze", str(tmp_path / "nowhere")]
    elif change == "no-votes":
        (folder / "votes.csv").unlink()
    elif change == "bad-votes":
        (folder / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n1,1,1,9\n")
    elif change == "bad-setting":
        arguments += ["-s", "nonsense=1"]
    elif change == "bad-setting-syntax":
        arguments += ["-s", "nonsense"]
    elif change == "bad-sides":
        (tmp_path / "sides.csv").write_text("who,what\n1,a\n")
        arguments += ["--sides", str(tmp_path / "sides.csv")]
    outcome = CliRunner().invoke(main, arguments)
    assert outcome.exit_code == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracktwo: ")
    assert fragment in lines[0]
