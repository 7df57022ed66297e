"""Bad and degenerate input: a clear InvalidInput, or a documented, NaN-free result."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion import NEW_STATEMENT_PRIORITY, OpinionState, analyze
from tracktwo.parts.dialogues.opinion._update import in_conversation, smooth_k


def _votes(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"])


def _finite(result) -> None:  # type: ignore[no-untyped-def]
    for frame in (result.participants, result.statements, result.groups):
        numeric = frame.select_dtypes(include=[np.number]).to_numpy(dtype=np.float64)
        assert np.isfinite(numeric).all()
    json.loads(result.to_json())


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (pd.DataFrame({"participant": [1], "statement": [1]}), "no 'vote' column"),
        (_votes([(1, 1, 2)]), "other than -1 (disagree), 0 (pass) and 1 (agree)"),
        (_votes([(1, 1, "yes")]), "'yes'"),
        (_votes([(1, 1, None)]), "value(s) other than"),
        (_votes([(None, 1, 1)]), "participant column of the votes table has empty cells"),
        (_votes([(1, float("nan"), 1)]), "statement column of the votes table has empty cells"),
        (
            pd.DataFrame({"participant": [1], "statement": [1], "vote": [1], "timestamp": ["x"]}),
            "timestamp column must hold numbers",
        ),
    ],
)
def test_malformed_votes_are_invalid_input(frame: pd.DataFrame, fragment: str) -> None:
    with pytest.raises(InvalidInput) as error:
        analyze(frame)
    assert fragment in str(error.value)


def test_other_bad_arguments() -> None:
    votes = _votes([(1, 1, 1)])
    with pytest.raises(InvalidInput, match="Unknown analysis setting 'max_kk'"):
        analyze(votes, max_kk=3)
    with pytest.raises(InvalidInput, match="max_k must be at least 2"):
        analyze(votes, max_k=1)
    with pytest.raises(InvalidInput, match="not a tracktwo opinion state"):
        analyze(votes, previous={"format": "something else"})
    with pytest.raises(InvalidInput, match="incomplete or malformed"):
        analyze(votes, previous={"format": "tracktwo-opinion-state", "version": 1})
    with pytest.raises(InvalidInput, match="sides must map"):
        analyze(votes, pd.DataFrame({"side": ["a"]}))
    with pytest.raises(InvalidInput, match="seed must be an integer"):
        analyze(votes, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="statement id twice"):
        analyze(votes, statements=pd.DataFrame({"statement": [1, 1]}))
    with pytest.raises(InvalidInput, match="moderated column"):
        analyze(votes, statements=pd.DataFrame({"statement": [1], "moderated": [3]}))


def test_empty_votes_give_an_empty_result_with_known_statements() -> None:
    empty = pd.DataFrame({"participant": [], "statement": [], "vote": []})
    statements = pd.DataFrame({"statement": ["a", "b"], "text": ["A", "B"]})
    result = analyze(empty, statements=statements)
    assert len(result.participants) == 0 and len(result.groups) == 0
    assert result.k is None
    assert result.statements["statement"].tolist() == ["a", "b"]
    assert (result.statements["n_votes"] == 0).all()
    assert result.statements["priority"].tolist() == [NEW_STATEMENT_PRIORITY] * 2
    _finite(result)


def test_one_participant_sits_at_the_origin_in_one_group() -> None:
    result = analyze(_votes([(7, "a", 1), (7, "b", -1), (7, "c", 0)]))
    row = result.participants.iloc[0]
    assert (row["x"], row["y"]) == (0.0, 0.0)
    assert row["n_votes"] == 3 and row["group"] == result.groups["group"].iloc[0]
    assert len(result.groups) == 1
    _finite(result)


def test_all_pass_votes_give_a_flat_map() -> None:
    rows = [(p, s, 0) for p in range(20) for s in range(5)]
    result = analyze(_votes(rows))
    assert (result.participants[["x", "y"]] == 0).all().all()
    assert (result.statements["agree_share"] == 0).all()
    assert (result.statements["pass"] == 20).all()
    assert len(result.groups) == 1
    assert result.consensus == []
    _finite(result)


def test_unvoted_statement_and_duplicates() -> None:
    votes = pd.DataFrame(
        {
            "participant": [1, 1, 2, 2, 1],
            "statement": ["a", "a", "a", "b", "a"],
            "vote": [1, -1, 1, 0, 1],
            "timestamp": [1, 2, 3, 4, 0],
        }
    )
    statements = pd.DataFrame({"statement": ["a", "b", "new"], "text": ["A", "B", "New"]})
    result = analyze(votes, statements=statements)
    table = result.statements.set_index("statement")
    # participant 1's latest vote on "a" is the disagree at time 2
    assert (table.loc["a", "agree"], table.loc["a", "disagree"]) == (1, 1)
    assert result.summary["n_superseded_votes"] == 2
    assert table.loc["new", "n_votes"] == 0 and table.loc["new", "text"] == "New"
    assert table.loc["new", "extremity"] == 0.0
    assert table.loc["new", "bridging_status"] == "needs_more_ratings"
    _finite(result)


def test_same_time_duplicates_keep_the_later_row() -> None:
    votes = pd.DataFrame(
        {"participant": [1, 1], "statement": [5, 5], "vote": [1, -1], "timestamp": [10, 10]}
    )
    result = analyze(votes)
    assert result.statements["disagree"].tolist() == [1]


def test_votes_may_be_floats_and_ids_strings() -> None:
    votes = pd.DataFrame({"participant": ["x", "y"], "statement": ["s", "s"], "vote": [1.0, -1.0]})
    result = analyze(votes)
    assert result.participants["participant"].tolist() == ["x", "y"]
    assert result.statements["agree"].tolist() == [1]


def test_in_conversation_rule_tops_up_to_fifteen() -> None:
    # 20 participants; only 3 reach 7 votes; C = 10
    counts = np.array([9, 8, 7] + [6] * 5 + [2] * 12)
    chosen = in_conversation(counts, 10, np.zeros(20, dtype=bool), min_votes=7, min_participants=15)
    assert chosen.sum() == 15
    assert chosen[:8].all()  # the three qualifiers, then the most active
    assert chosen[8:15].all() and not chosen[15:].any()  # ties go to earlier arrivals
    # with few statements the threshold is C itself, and membership is sticky
    sticky = np.zeros(20, dtype=bool)
    sticky[19] = True
    chosen = in_conversation(counts, 2, sticky, min_votes=7, min_participants=0)
    assert chosen.all()
    chosen = in_conversation(counts, 10, sticky, min_votes=7, min_participants=0)
    assert chosen[19] and chosen.sum() == 4


def test_k_smoother_state_machine() -> None:
    state = (None, 0, None)
    history = []
    for this_k in [2, 3, 3, 3, 3, 3, 2, 2, 3]:
        state = smooth_k(this_k, *state, buffer=4)
        history.append(state)
    # the first k is adopted at once; a new k needs four updates in a row
    assert [h[2] for h in history] == [2, 2, 2, 2, 3, 3, 3, 3, 3]
    assert [h[1] for h in history] == [1, 1, 2, 3, 4, 5, 1, 2, 1]


def test_state_from_dict_rejects_mismatched_arrays() -> None:
    result = analyze(_votes([(p, s, (p + s) % 3 - 1) for p in range(10) for s in range(4)]))
    data = result.state.to_dict()
    data["map"]["means"] = data["map"]["means"][:-1]
    with pytest.raises(InvalidInput, match="different lengths"):
        OpinionState.from_dict(data)
    data = result.state.to_dict()
    data["version"] = 99
    with pytest.raises(InvalidInput, match="version 99"):
        OpinionState.from_dict(data)
