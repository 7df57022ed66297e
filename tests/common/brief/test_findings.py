"""The one pure reader of an analysis document, on a document small enough to check by hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracktwo.parts.dialogues.opinion.findings import (
    Findings,
    StatementId,
    StatementText,
    public_result,
    small_sides,
    suppressed_count,
    with_analysis,
)


def _side(side: str, agree: int, n: int) -> dict[str, Any]:
    return {
        "side": side,
        "agree": agree,
        "disagree": n - agree,
        "pass": 0,
        "n": n,
        "agree_share": agree / n,
        "lower": 0.1,
        "upper": 0.9,
    }


def _document() -> dict[str, Any]:
    statements = [
        {
            "id": 1,
            "agree": 9,
            "n_votes": 12,
            "bridging": 0.5,
            "bridging_status": "helpful",
            "group_aware_consensus": 0.4,
            "cross_side_consensus": True,
            "sides": [_side("Hill", 5, 6), _side("Harbour", 4, 6)],
            "groups": [],
        },
        {
            "id": 2,
            "agree": 3,
            "n_votes": 12,
            "sides": [_side("Hill", 3, 6), _side("Harbour", 0, 6)],
            "groups": [],
        },
        {"id": 3, "agree": 0, "n_votes": 0, "sides": [], "groups": []},
    ]
    people = [("p-hill", 0, "Hill")] * 6 + [("p-harb", 0, "Harbour")] * 2 + [("p-und", 1, None)]
    return {
        "participants": [
            {"id": f"{pid}-{i}", "group": g, "x": 0.0, "y": 0.0, "side": s}
            for i, (pid, g, s) in enumerate(people)
        ],
        "groups": [
            {
                "id": 0,
                "size": 8,
                "representative": [
                    {
                        "statement": 2,
                        "direction": "disagree",
                        "n_success": 5,
                        "n_trials": 7,
                        "p_success": 0.66,
                    }
                ],
            },
            {"id": 1, "size": 1, "representative": []},
        ],
        "statements": statements,
        "cross_side": [{"statement": 2}, {"statement": 1}],
        "consensus": [],
        "divisive": [{"statement": 2}],
        "divisive_sides": [{"statement": 2}],
        "settings": {"cross_side_threshold": 0.8},
    }


def _base(min_cell: int = 5) -> Findings:
    return Findings(
        topic="Water",
        participants_by_side={"Hill": 6, "Harbour": 6, "Undeclared": 1},
        participants=9,
        statements=3,
        votes=24,
        first_vote=None,
        last_vote=None,
        min_cell=min_cell,
        side_colours={"Hill": "#000000", "Harbour": "#ffffff"},
    )


def test_findings_follow_the_document_and_ask_only_for_the_texts_they_show() -> None:
    asked: list[StatementId] = []

    def texts(ids: Sequence[StatementId]) -> dict[StatementId, StatementText]:
        asked.extend(ids)
        # statement 2 has no text here (e.g. deleted): it must simply be left out
        return {1: StatementText("One", "en", {"ar": "واحد"})}

    findings = with_analysis(_base(), _document(), texts)
    assert sorted(asked) == [1, 2]  # the cross-side list, the divisive ones, representatives
    assert findings.has_results and findings.common_ground_method == "cross-side"
    assert [v.id for v in findings.common_ground] == [1]
    view = findings.common_ground[0]
    assert view.text == "One" and view.translations == {"ar": "واحد"}
    assert view.agree_share == 9 / 12 and view.bridging == 0.5 and view.cross_side_consensus
    assert findings.divisive == [] and findings.threshold == 0.8
    assert [g.letter for g in findings.groups] == ["A", "B"]
    assert findings.groups[0].representative == []


def test_no_participant_identifier_survives_and_small_cells_are_suppressed() -> None:
    findings = with_analysis(
        _base(), _document(), lambda ids: {i: StatementText(f"S{i}", None) for i in ids}
    )
    assert findings.result is not None
    assert all("id" not in person for person in findings.result["participants"])
    assert "p-hill" not in repr(findings)
    composition = dict(findings.groups[0].composition)
    assert composition == {"Hill": "6", "Harbour": "fewer than 5", "Undeclared": "0"}
    rep = findings.groups[0].representative[0]
    assert (rep.direction, rep.n_success, rep.n_trials) == ("disagree", 5, 7)
    assert [v.id for v in findings.divisive_sides] == [2]


def test_without_sides_common_ground_falls_back_to_group_aware_consensus() -> None:
    document = _document()
    document["cross_side"] = None
    findings = with_analysis(
        _base(), document, lambda ids: {i: StatementText(f"S{i}", None) for i in ids}
    )
    assert findings.common_ground_method == "consensus"
    # nothing passed Polis's consensus test: ranked by group-aware consensus, highest first
    assert [v.id for v in findings.common_ground][:1] == [1]


def test_a_side_of_fewer_than_min_cell_people_is_never_compared() -> None:
    """Ranking statements by how a side of three people voted would tell what they think."""
    base = _base()
    base.participants_by_side["Harbour"] = 3

    def texts(ids: Sequence[StatementId]) -> dict[StatementId, StatementText]:
        return {i: StatementText(f"S{i}", None) for i in ids}

    findings = with_analysis(base, _document(), texts, hide_small_sides=True)
    assert small_sides(findings) == ["Harbour"]
    assert findings.common_ground_method == "consensus"
    assert findings.divisive_sides == []
    # the results page follows a dialogue from its first votes: it compares the sides
    following = with_analysis(base, _document(), texts)
    assert following.common_ground_method == "cross-side" and following.divisive_sides
    base.participants_by_side["Harbour"] = 0  # a side that did not take part hides no one
    hidden = with_analysis(base, _document(), texts, hide_small_sides=True)
    assert hidden.common_ground_method == "cross-side"


def test_public_result_and_suppressed_count() -> None:
    document = {"participants": [{"id": "P-X", "x": 1}], "groups": []}
    assert public_result(document)["participants"] == [{"x": 1}]
    assert document["participants"][0]["id"] == "P-X"  # the input is left alone
    assert [suppressed_count(n, 5) for n in (0, 1, 4, 5, 12)] == [
        "0",
        "fewer than 5",
        "fewer than 5",
        "5",
        "12",
    ]
