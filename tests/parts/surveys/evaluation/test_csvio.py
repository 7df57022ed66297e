"""The CSV format: round trips, both layouts, duplicates, and whole-file checking."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import (
    LONG_COLUMNS,
    ResponseSet,
    format_responses_csv,
    parse_responses_csv,
    read_responses_csv,
    write_responses_csv,
)

from .conftest import Synthetic, make_synthetic

HEADER = ",".join(LONG_COLUMNS) + "\n"


@pytest.fixture(scope="module")
def small() -> Synthetic:
    return make_synthetic(per_side={"A": 3, "B": 3}, seed=1)


def _key(responses: Iterable[ResponseSet]) -> list[tuple[object, ...]]:
    return sorted(
        (r.respondent, r.wave, r.side, r.group, tuple(sorted(r.answers.items()))) for r in responses
    )


def test_written_files_read_back_unchanged(small: Synthetic, tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    write_responses_csv(small.responses, path)
    imported = read_responses_csv(path)
    assert _key(imported.responses) == _key(small.responses)
    assert [s.id for s in imported.survey.sides] == ["A", "B"]
    assert {i.id for i in imported.survey.instruments} == {"thermometer", "outgroup_trust"}
    assert imported.layout == "long" and imported.replacements == ()
    assert "12 answer sets from 6 respondents in waves pre, post" in imported.summary()


def test_the_export_carries_only_the_documented_columns(small: Synthetic) -> None:
    rows = list(csv.reader(io.StringIO(format_responses_csv(small.responses))))
    assert tuple(rows[0]) == LONG_COLUMNS
    assert {row[0] for row in rows[1:]} == {r.respondent for r in small.responses}


def test_the_wide_layout_reads_like_the_long_one(small: Synthetic) -> None:
    keys = sorted({key for r in small.responses for key in r.answers})
    lines = ["respondent,side,wave,group," + ",".join(keys)]
    for r in small.responses:
        cells = [f"{r.answers[k]:g}" if k in r.answers else "" for k in keys]
        lines.append(f"{r.respondent},{r.side},{r.wave},{r.group}," + ",".join(cells))
    imported = parse_responses_csv("\n".join(lines) + "\n")
    assert imported.layout == "wide"
    assert _key(imported.responses) == _key(small.responses)


def _answers(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def test_a_later_answer_replaces_an_earlier_one_and_is_reported() -> None:
    text = _answers(
        "p1,A,pre,treatment,thermometer.warmth@side:B,80,2025-03-02T10:00:00Z",
        "p1,A,pre,treatment,thermometer.warmth@side:B,40,2025-03-01T10:00:00Z",
        "p2,B,pre,treatment,thermometer.warmth@side:A,30,",
        "p2,B,pre,treatment,thermometer.warmth@side:A,35,",
    )
    imported = parse_responses_csv(text)
    answers = {
        r.respondent: r.answers["thermometer.warmth@side:" + ("B" if r.side == "A" else "A")]
        for r in imported.responses
    }
    assert answers == {"p1": 80, "p2": 35}  # p1: later time wins; p2: no times, later line wins
    assert [(x.respondent, x.kept_line, x.dropped_line) for x in imported.replacements] == [
        ("p1", 2, 3),
        ("p2", 5, 4),
    ]
    assert "2 answers given twice replaced" in imported.summary()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "respondent,wave,item,value,colour\n",
            "Line 1, column 5: unknown column 'colour'; the long layout has the columns",
        ),
        ("respondent,wave,mood\n", "Line 1, column 3: unknown column 'mood'"),
        (
            "respondent,side,item,value\np1,A,thermometer.warmth@side:B,5\n",
            "required column 'wave'",
        ),
        (
            _answers("p1,A,pre,treatment,thermometer.warmth@side:B,101,"),
            "Line 2, column value: the answer 101 to thermometer.warmth@side:B is outside the "
            "range 0 to 100.",
        ),
        (
            _answers("p1,A,during,treatment,thermometer.warmth@side:B,50,"),
            "Line 2, column wave: 'during' is not a wave",
        ),
        (
            _answers("p1,A,pre,treatment,thermometer.heat@side:B,50,"),
            "Line 2, column item: instrument thermometer has no item 'heat'",
        ),
        (
            _answers("p1,A,pre,treatment,mood.today,50,"),
            "Line 2, column item: mood.today belongs to no known instrument",
        ),
        (
            _answers("p1,A,pre,treatment,thermometer.warmth@side:A,50,"),
            "Line 2, column item: thermometer.warmth@side:A is not asked of respondent p1",
        ),
        (
            _answers("p1,A,pre,treatment,thermometer.warmth@side:B,warm,"),
            "Line 2, column value: 'warm' is not a number.",
        ),
        (
            _answers("p1,A,pre,treatment,thermometer.warmth@side:B,5,soon"),
            "Line 2, column submitted_at: 'soon' is not an ISO 8601 date",
        ),
        (_answers("p1,A,pre,control,thermometer.warmth@side:B,5,"), "Line 2, column group"),
        (
            _answers("p1,A,pre,treatment,thermometer.warmth@side:B,5"),
            "Line 2: the row has 6 fields",
        ),
        (
            _answers(
                "p1,A,pre,treatment,thermometer.warmth@side:B,5,",
                "p1,B,post,treatment,thermometer.warmth@side:A,5,",
            ),
            "Line 3, column side: respondent p1 has side B here but A on line 2",
        ),
        (
            _answers(
                "p1,A,pre,treatment,outgroup_trust.trust1@side:B,5,",
                "p1,A,pre,treatment,outgroup_trust.trust2@side:B,5,",
            ),
            "Respondent p1, wave pre: the required question outgroup_trust.trust3@side:B has no "
            "answer",
        ),
        ("", "The CSV file is empty"),
        (HEADER, "has a header but no rows"),
        ("respondent;wave;item;value\n", "separated by semicolons"),
        ('respondent,wave,item,value\n"p1,pre,x\n', "Line"),
    ],
)
def test_bad_files_are_refused_whole_with_one_sentence(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_responses_csv(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_declared_sides_and_instruments_constrain_the_file() -> None:
    from tracktwo.parts.surveys.evaluation import Side, builtin_instrument

    text = _answers("p1,A,pre,treatment,thermometer.warmth@side:B,50,")
    sides = [Side("A", "Side A"), Side("B", "Side B"), Side("C", "Side C")]
    with pytest.raises(InvalidInput, match=r"required question thermometer\.warmth@side:C"):
        parse_responses_csv(text, sides=sides)
    with pytest.raises(InvalidInput, match="not one of the sides"):
        parse_responses_csv(text, sides=[Side("B", "b")])
    with pytest.raises(InvalidInput, match="use one of outgroup_trust"):
        parse_responses_csv(text, instruments=[builtin_instrument("outgroup_trust")])


def test_file_problems_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        read_responses_csv(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        HEADER.encode() + "p\xe9,A,pre,,thermometer.warmth@side:B,5,\n".encode("latin-1")
    )
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_responses_csv(latin)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + _answers("p1,A,pre,,thermometer.warmth@side:B,5,").encode())
    assert read_responses_csv(bom).responses[0].group == "treatment"
