"""Synthetic conversations with planted opinion groups, for tests, demos and benchmarks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from tracktwo.kernel.errors import InvalidInput

__all__ = ["synthetic_conversation"]


def synthetic_conversation(
    n_participants: int,
    n_statements: int,
    votes_per_participant: int,
    *,
    n_groups: int = 3,
    noise: float = 0.1,
    pass_rate: float = 0.15,
    shared_stances: float = 0.2,
    seed: int = 0,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Votes of participants drawn from planted groups.

    Each group takes a stance (agree or disagree) on every statement; a share
    ``shared_stances`` of statements get the same stance in every group (common ground).
    A participant passes with probability ``pass_rate`` and otherwise votes their group's
    stance, flipped with probability ``noise``. Each participant votes on
    ``votes_per_participant`` distinct statements, one from each of as many equal slices of
    the statement list (so every statement is about equally often seen), and votes arrive
    participant by participant in random order.

    Returns
    -------
    votes
        ``participant``, ``statement``, ``vote``, ``timestamp`` (ms, increasing).
    groups
        The planted group of participant ``i`` (participant ids are 0..n-1).
    """
    if not 0 < votes_per_participant <= n_statements:
        raise InvalidInput("votes_per_participant must be between 1 and n_statements.")
    if n_participants < 1 or n_groups < 1:
        raise InvalidInput("A synthetic conversation needs participants and groups.")
    rng = np.random.default_rng(seed)
    stances = rng.choice(np.array([-1, 1], dtype=np.int8), size=(n_groups, n_statements))
    shared = rng.random(n_statements) < shared_stances
    stances[:, shared] = stances[0, shared]
    groups = rng.integers(0, n_groups, size=n_participants).astype(np.int64)

    per = votes_per_participant
    edges = (np.arange(per + 1, dtype=np.int64) * n_statements) // per
    widths = np.diff(edges)
    arrival = rng.permutation(n_participants).astype(np.int64)
    rows = np.repeat(arrival, per)
    offsets = (rng.random((n_participants, per)) * widths[None, :]).astype(np.int64)
    statements = (edges[:-1][None, :] + offsets).reshape(-1)
    stance = stances[groups[rows], statements]
    draw = rng.random(len(rows))
    flip = draw < noise
    votes = np.where(flip, -stance, stance).astype(np.int8)
    votes[rng.random(len(rows)) < pass_rate] = 0
    frame = pd.DataFrame(
        {
            "participant": rows,
            "statement": statements,
            "vote": votes,
            "timestamp": np.arange(len(rows), dtype=np.int64) * 1000,
        }
    )
    return frame, groups
