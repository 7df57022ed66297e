"""Planted groups are recovered, and groups stay put when a few more votes arrive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from tracktwo.parts.dialogues.opinion import OpinionResult, analyze, synthetic_conversation


def _ari(result: OpinionResult, planted: np.ndarray) -> float:
    clustered = result.participants.dropna(subset=["group"])
    return float(
        adjusted_rand_score(
            planted[clustered["participant"].to_numpy(dtype=np.int64)],
            clustered["group"].astype(int),
        )
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_planted_groups_are_recovered_at_20_votes_each(seed: int) -> None:
    votes, planted = synthetic_conversation(500, 50, 20, n_groups=2, seed=seed)
    result = analyze(votes)
    assert result.k == 2
    assert result.summary["n_clustered"] == 500
    assert _ari(result, planted) >= 0.9


def test_three_planted_groups_are_recovered_at_20_votes_each() -> None:
    scores = []
    for seed in range(4):
        votes, planted = synthetic_conversation(600, 60, 20, n_groups=3, seed=seed)
        result = analyze(votes)
        assert result.k == 3
        scores.append(_ari(result, planted))
    assert float(np.mean(scores)) >= 0.9
    assert min(scores) >= 0.85


@pytest.mark.parametrize(("groups", "seed"), [(2, 0), (3, 1), (3, 2)])
def test_one_percent_more_votes_moves_at_most_two_percent(groups: int, seed: int) -> None:
    votes, _ = synthetic_conversation(600, 60, 20, n_groups=groups, seed=seed)
    cut = int(len(votes) * 0.99)
    before = analyze(votes.iloc[:cut])
    after = analyze(votes, previous=before.state)
    old = before.participants.set_index("participant")["group"]
    new = after.participants.set_index("participant")["group"]
    both = pd.concat([old, new], axis=1, keys=["old", "new"], join="inner").dropna()
    assert len(both) >= 590
    changed = float((both["old"] != both["new"]).mean())
    assert changed <= 0.02
    assert after.k == before.k


def test_group_ids_survive_a_restart_through_json() -> None:
    votes, _ = synthetic_conversation(300, 40, 15, n_groups=3, seed=5)
    half = len(votes) // 2
    first = analyze(votes.iloc[:half])
    continued = analyze(votes, previous=first.state)
    restarted = analyze(votes, previous=first.state.to_dict())
    pd.testing.assert_frame_equal(continued.participants, restarted.participants)
    pd.testing.assert_frame_equal(continued.groups, restarted.groups)
