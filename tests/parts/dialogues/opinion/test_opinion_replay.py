"""The replay of a vote history: batching, equivalence with one analysis, input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion import analyze, replay, synthetic_conversation, update_batches


def test_batches_follow_the_poll_interval() -> None:
    times = np.array([0, 200, 999, 1000, 1500, 5000, 5001, 9000])
    # a batch takes every vote less than one interval after its first vote
    assert update_batches(times, 1000).tolist() == [3, 5, 7, 8]
    assert update_batches(times, 10_000).tolist() == [8]
    assert update_batches(np.array([]), 1000).tolist() == []


def test_one_batch_is_one_analysis() -> None:
    votes, _ = synthetic_conversation(120, 20, 10, seed=3)
    whole = replay(votes, interval_ms=1e15)
    assert whole.to_json() == analyze(votes).to_json()


def test_replay_is_reproducible_and_keeps_early_participants() -> None:
    votes, _ = synthetic_conversation(150, 30, 12, seed=4)
    # the first participants vote while there are only a few statements: they join the
    # clustering early (min(7, C) votes) and stay in, as in Polis
    early = pd.DataFrame(
        {
            "participant": [10_000, 10_000, 10_001],
            "statement": [0, 1, 0],
            "vote": [1, -1, 1],
            "timestamp": [-3000, -2000, -1000],
        }
    )
    history = pd.concat([early, votes], ignore_index=True)
    first = replay(history, interval_ms=60_000)
    assert first.to_json() == replay(history, interval_ms=60_000).to_json()
    clustered = first.participants.set_index("participant")["clustered"]
    assert clustered.loc[10_000] and clustered.loc[10_001]
    assert not analyze(history).participants.set_index("participant")["clustered"].loc[10_001]


def test_restart_only_changes_the_final_group_clustering() -> None:
    votes, _ = synthetic_conversation(200, 30, 12, n_groups=3, seed=6)
    kept = replay(votes, interval_ms=30_000, restart_before_final=False)
    restarted = replay(votes, interval_ms=30_000)
    pd.testing.assert_frame_equal(
        kept.participants[["participant", "x", "y", "clustered", "base_cluster"]],
        restarted.participants[["participant", "x", "y", "clustered", "base_cluster"]],
    )
    assert restarted.state.last_k_count == 1


def test_replay_needs_timestamps() -> None:
    votes = pd.DataFrame({"participant": [1], "statement": [1], "vote": [1]})
    with pytest.raises(InvalidInput, match="timestamp column"):
        replay(votes)
    with pytest.raises(InvalidInput, match="interval_ms must be positive"):
        replay(votes.assign(timestamp=[0]), interval_ms=0)
