"""`tracktwo evaluate`: a JSON report on success, one line and exit code 2 on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracktwo.cli import main
from tracktwo.parts.surveys.evaluation import format_responses_csv

from .conftest import NAMED_KEYS, make_synthetic


@pytest.fixture(scope="module")
def responses_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = make_synthetic(per_side={"A": 12, "B": 12}, seed=8)
    path = tmp_path_factory.mktemp("cli") / "responses.csv"
    path.write_text(format_responses_csv(data.responses), encoding="utf-8")
    return path


def _evaluate_ok(csv_path: Path, out: Path, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["evaluate", str(csv_path), "--json", str(out), *options])
    assert result.exit_code == 0, result.output
    assert "48 answer sets from 24 respondents" in result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def test_evaluate_writes_a_report_with_the_named_keys(responses_csv: Path, tmp_path: Path) -> None:
    plots = tmp_path / "figures"
    report = _evaluate_ok(
        responses_csv,
        tmp_path / "report.json",
        *("--side", "A=North", "--side", "B=South", "--plots", str(plots)),
    )
    assert [s["name"] for s in report["sides"]] == ["North", "South"]
    for scale in ("thermometer", "outgroup_trust"):
        for side in ("A", "B"):
            for key in NAMED_KEYS:
                assert key in report["scales"][scale]["sides"][side]
    assert (plots / "thermometer-change.svg").read_text(encoding="utf-8").startswith("<svg")
    assert (plots / "outgroup_trust-distribution.svg").exists()


def test_min_cell_and_instrument_options(responses_csv: Path, tmp_path: Path) -> None:
    report = _evaluate_ok(
        responses_csv,
        tmp_path / "report.json",
        *("--min-cell", "13", "--instrument", "thermometer", "--instrument", "outgroup_trust"),
    )
    assert report["settings"]["min_cell"] == 13
    assert report["scales"]["thermometer"]["sides"]["A"]["n"] == "<13"


def _bad_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda d, ok: [str(d / "missing.csv"), "--json", str(d / "o.json")], "does not exist"),
        (
            lambda d, ok: [
                str(_bad_csv(d, 'respondent,wave,item,value\n"p1,pre\n')),
                "--json",
                str(d / "o.json"),
            ],
            "malformed",
        ),
        (
            lambda d, ok: [
                str(_bad_csv(d, "respondent,wave,item,value,name\n")),
                "--json",
                str(d / "o.json"),
            ],
            "unknown column 'name'",
        ),
        (
            lambda d, ok: [
                str(
                    _bad_csv(
                        d,
                        "respondent,side,wave,item,value\np1,A,pre,thermometer.warmth@side:B,120\n",
                    )
                ),
                "--json",
                str(d / "o.json"),
            ],
            "outside the range 0 to 100",
        ),
        (
            lambda d, ok: [
                str(
                    _bad_csv(
                        d,
                        "respondent,side,wave,item,value\np1,A,later,thermometer.warmth@side:B,12\n",
                    )
                ),
                "--json",
                str(d / "o.json"),
            ],
            "'later' is not a wave",
        ),
        (lambda d, ok: [str(ok), "--json", str(d / "no" / "o.json")], "cannot write"),
        (lambda d, ok: [str(ok), "--json", str(d)], "cannot write"),
        (lambda d, ok: [str(ok), "--json", str(d / "o.json"), "--min-cell", "2"], "at least 3"),
        (
            lambda d, ok: [str(ok), "--json", str(d / "o.json"), "--min-cell", "five"],
            "whole number",
        ),
        (
            lambda d, ok: [str(ok), "--json", str(d / "o.json"), "--instrument", "mood"],
            "no instrument",
        ),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(
    responses_csv: Path,
    tmp_path: Path,
    make_args: Callable[[Path, Path], list[str]],
    message: str,
) -> None:
    result = CliRunner().invoke(main, ["evaluate", *make_args(tmp_path, responses_csv)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracktwo: ")
    assert message.lower() in lines[0].lower()
    assert not (tmp_path / "o.json").exists()


def test_a_custom_instrument_file_can_be_used(tmp_path: Path) -> None:
    from tracktwo.parts.surveys.evaluation import custom_likert

    hope = custom_likert("hope", "Hope", {"h1": "Peace will come.", "h2": "Peace is near."})
    definition = tmp_path / "hope.json"
    definition.write_text(hope.model_dump_json(by_alias=True), encoding="utf-8")
    rows = ["respondent,side,wave,item,value"]
    for i in range(6):
        for wave, shift in (("pre", 0), ("post", 1)):
            rows += [f"p{i},A,{wave},hope.h1,{1 + (i + shift) % 5}", f"p{i},A,{wave},hope.h2,3"]
    responses = tmp_path / "hope.csv"
    responses.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main, ["evaluate", str(responses), "--json", str(out), "--instrument", str(definition)]
    )
    assert result.exit_code == 0, result.output
    block = json.loads(out.read_text(encoding="utf-8"))["scales"]["hope"]["sides"]["A"]
    assert block["n"] == 6
    pre = [(1 + i % 5 + 3) / 2 for i in range(6)]
    post = [(1 + (i + 1) % 5 + 3) / 2 for i in range(6)]
    assert block["diff"] == pytest.approx(sum(post) / 6 - sum(pre) / 6)
