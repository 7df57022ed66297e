"""Routing (next statement) and the fast single-participant projection."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion import (
    analyze,
    next_statement,
    project_participant,
    synthetic_conversation,
)


def test_draws_are_proportional_to_priority() -> None:
    priorities = {"a": 1.0, "b": 3.0, "c": 6.0}
    rng = random.Random(5)
    draws = Counter(next_statement(priorities, ["a", "b", "c"], set(), rng) for _ in range(6000))
    observed = [draws["a"], draws["b"], draws["c"]]
    expected = [600, 1800, 3600]
    assert chisquare(observed, expected).pvalue > 0.001


def test_missing_or_zero_priority_gets_the_default_weight() -> None:
    rng = np.random.default_rng(1)
    priorities = {"old": 1.0, "zero": 0.0}
    draws = Counter(
        next_statement(priorities, ["old", "zero", "new"], [], rng) for _ in range(3000)
    )
    assert chisquare([draws["old"], draws["zero"], draws["new"]]).pvalue > 0.001
    heavier = Counter(
        next_statement(priorities, ["old", "new"], [], rng, default_weight=4.0) for _ in range(3000)
    )
    assert chisquare([heavier["old"], heavier["new"]], [600, 2400]).pvalue > 0.001


def test_seed_statements_first_when_asked() -> None:
    rng = random.Random(2)
    priorities = {"a": 100.0, "seed1": 0.1, "seed2": 0.1}
    picks = {
        next_statement(
            priorities,
            ["a", "seed1", "seed2"],
            {"seed2"},
            rng,
            seed_statements={"seed1", "seed2"},
            prioritize_seed=True,
        )
        for _ in range(50)
    }
    assert picks == {"seed1"}
    # once the seeds are voted on, the others are drawn again
    assert (
        next_statement(
            priorities,
            ["a", "seed1"],
            {"seed1"},
            rng,
            seed_statements={"seed1"},
            prioritize_seed=True,
        )
        == "a"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(0, 30), st.floats(0, 100), max_size=20),
    st.lists(st.integers(0, 30), unique=True, max_size=25),
    st.sets(st.integers(0, 30)),
    st.integers(0, 2**32 - 1),
)
def test_never_returns_a_voted_or_ineligible_statement(
    priorities: dict[int, float], eligible: list[int], voted: set[int], seed: int
) -> None:
    choice = next_statement(priorities, eligible, voted, random.Random(seed))
    remaining = [s for s in eligible if s not in voted]
    if remaining:
        assert choice in remaining
    else:
        assert choice is None


@pytest.fixture(scope="module")
def conversation() -> tuple[pd.DataFrame, object]:
    votes, _ = synthetic_conversation(300, 40, 15, n_groups=2, seed=3)
    statements = pd.DataFrame(
        {"statement": list(range(40)), "moderated": [-1 if s == 5 else 1 for s in range(40)]}
    )
    return votes, analyze(votes, statements=statements)


def test_projection_matches_the_full_analysis(conversation) -> None:  # type: ignore[no-untyped-def]
    votes, result = conversation
    coordinates = result.participants.set_index("participant")[["x", "y"]]
    for participant, own in list(votes.groupby("participant"))[:40]:
        x, y = project_participant(result.state, own[["statement", "vote", "timestamp"]])
        assert (x, y) == pytest.approx(tuple(coordinates.loc[participant]), abs=1e-9)
        mapping = dict(zip(own["statement"], own["vote"], strict=True))
        assert project_participant(result.state.to_dict(), mapping) == pytest.approx((x, y))


def test_projection_reflects_a_new_vote_and_skips_unknown_statements(conversation) -> None:  # type: ignore[no-untyped-def]
    votes, result = conversation
    own = votes[votes["participant"] == 0]
    mapping = dict(zip(own["statement"], own["vote"], strict=True))
    before = project_participant(result.state, mapping)
    unvoted = next(s for s in range(40) if s not in mapping and s != 5)
    after = project_participant(result.state, {**mapping, unvoted: 1})
    assert after != before
    assert project_participant(result.state, {**mapping, "brand-new": 1}) == before
    with pytest.raises(InvalidInput, match="must be -1, 0 or 1"):
        project_participant(result.state, {unvoted: 2})
