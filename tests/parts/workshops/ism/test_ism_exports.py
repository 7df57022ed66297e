"""Exports: relations as CSV with the audit trail, everything as JSON-safe data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.workshops.ism.exports import RELATIONS_COLUMNS, map_json, relations_csv
from tracktwo.parts.workshops.ism.ism import IsmSession


def small_map() -> IsmSession:
    """0 helps 1, 1 helps 2 (direct); 0 helps 2 is inferred; 2 does not help 0 (direct)."""
    session = IsmSession.start(3)
    session.answer(0, 1, True, allow_out_of_turn=True)
    session.answer(1, 2, True, allow_out_of_turn=True)
    session.answer(2, 0, False, allow_out_of_turn=True)
    return session


def test_relations_csv_rows_and_audit_trail() -> None:
    session = small_map()
    text = relations_csv(
        session, labels=['=HYPERLINK("x")', 'Trust, "real" trust', "-2+3"], ids=["i7", "i8", "i9"]
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == RELATIONS_COLUMNS
    assert len(rows) == 3 * 2
    by_pair = {(r["from"], r["to"]): r for r in rows}
    assert by_pair[("i7", "i8")] == {
        "from": "i7",
        "to": "i8",
        "from_label": '\'=HYPERLINK("x")',
        "to_label": 'Trust, "real" trust',
        "relation": "yes",
        "source": "direct",
        "answer_number": "1",
        "inferred_from": "",
    }
    assert by_pair[("i7", "i9")]["relation"] == "yes"
    assert by_pair[("i7", "i9")]["source"] == "inferred"
    assert by_pair[("i7", "i9")]["inferred_from"] == "i7>i8 yes; i8>i9 yes"
    assert by_pair[("i9", "i7")]["answer_number"] == "3"
    assert by_pair[("i9", "i7")]["to_label"] == '\'=HYPERLINK("x")'
    assert by_pair[("i9", "i7")]["from_label"] == "'-2+3"  # neutralised; "-3" stays a number
    # The no to (2, 0) forbids R(2) x A(0) = {2} x {0} only; (1, 0) stays open.
    assert by_pair[("i8", "i7")]["relation"] == "unknown"
    for row in rows:
        if row["source"] == "inferred":
            assert row["inferred_from"]
        if row["relation"] == "unknown":
            assert row["source"] == "unknown" and not row["inferred_from"]


def test_relations_csv_defaults_to_indices_and_rejects_bad_ids() -> None:
    rows = list(csv.DictReader(io.StringIO(relations_csv(small_map()))))
    assert {r["from"] for r in rows} == {"0", "1", "2"}
    assert all(r["from_label"] == "" for r in rows)
    with pytest.raises(InvalidInput, match="distinct"):
        relations_csv(small_map(), ids=[1, 1, 2])
    with pytest.raises(InvalidInput, match="one label per idea"):
        relations_csv(small_map(), labels=["a"])


def test_map_json_is_json_and_resumable() -> None:
    session = small_map()
    data = json.loads(json.dumps(map_json(session, labels=["a", "b", "c"])))
    assert data["labels"] == ["a", "b", "c"]
    assert data["finished"] is session.finished
    assert data["remaining"]["upper_bound"] == sum(
        1 for s in session.relations() if s.value is None
    )
    assert IsmSession.from_dict(data["state"]).to_dict() == session.to_dict()
    relation = next(r for r in data["relations"] if (r["from"], r["to"]) == (0, 2))
    assert relation == {
        "from": 0,
        "to": 2,
        "relation": "yes",
        "source": "inferred",
        "inferred_from": [[0, 1], [1, 2]],
    }
    assert data["structure"]["levels"] == session.structure().to_dict()["levels"]
