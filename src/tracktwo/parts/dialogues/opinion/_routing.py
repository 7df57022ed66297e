"""Which statement to show next, and where one participant sits on the map right now.

Both are called inside web requests, so they take plain Python data (a dict of priorities,
lists of ids, a random generator) and do no matrix work: ``next_statement`` is a weighted draw
over at most a few thousand statements, ``project_participant`` one pass over one
participant's votes using the components stored in the last analysis's state.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion._state import OpinionState
from tracktwo.parts.dialogues.opinion._stats import NEW_STATEMENT_PRIORITY

__all__ = ["NEW_STATEMENT_PRIORITY", "next_statement", "project_participant"]


def next_statement(
    priorities: Mapping[Any, float],
    eligible: Iterable[Any],
    voted: Collection[Any],
    rng: random.Random | np.random.Generator,
    *,
    seed_statements: Collection[Any] = (),
    prioritize_seed: bool = False,
    default_weight: float = 1.0,
) -> Any | None:
    """Draw the next statement for a participant, in proportion to Polis's priority (§8).

    Parameters
    ----------
    priorities
        Statement id -> priority from the last analysis (``OpinionResult.priorities``).
    eligible
        Statements that may be shown (active, not moderated out under the conversation's
        moderation rule), in the order the caller wants ties and cumulative sums to follow;
        Polis takes the 999 oldest.
    voted
        Statements this participant has already voted on; never returned.
    rng
        A ``random.Random`` or ``numpy.random.Generator``; only its ``random()`` is used.
    seed_statements, prioritize_seed
        When ``prioritize_seed`` is true and some unvoted eligible statement is a seed
        statement, the draw is restricted to those.
    default_weight
        Weight of a statement without a positive, finite priority (one written after the last
        analysis). Polis's server uses 1; pass ``NEW_STATEMENT_PRIORITY`` (about 5.06, what
        the math gives a statement with no votes) to surface new statements sooner.

    Returns
    -------
    The chosen statement id, or None when every eligible statement has been voted on.
    """
    voted_set = voted if isinstance(voted, set | frozenset) else set(voted)
    candidates = [s for s in eligible if s not in voted_set]
    if prioritize_seed and seed_statements:
        seeds = (
            seed_statements
            if isinstance(seed_statements, set | frozenset)
            else set(seed_statements)
        )
        seeded = [s for s in candidates if s in seeds]
        if seeded:
            candidates = seeded
    if not candidates:
        return None
    weights = []
    for statement in candidates:
        weight = priorities.get(statement)
        if weight is None or not math.isfinite(weight) or weight <= 0:
            weight = default_weight
        weights.append(float(weight))
    total = math.fsum(weights)
    draw = float(rng.random()) * total
    running = 0.0
    for statement, weight in zip(candidates, weights, strict=True):
        running += weight
        if running > draw:
            return statement
    return candidates[-1]


def _vote_pairs(votes: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(votes, pd.DataFrame):
        if "statement" not in votes.columns or "vote" not in votes.columns:
            raise InvalidInput("The participant's votes need 'statement' and 'vote' columns.")
        frame = votes
        if "timestamp" in frame.columns:
            frame = frame.sort_values("timestamp", kind="stable")
        latest: dict[Any, Any] = dict(
            zip(frame["statement"].tolist(), frame["vote"].tolist(), strict=True)
        )
        return latest.items()
    pairs: dict[Any, Any] = (
        dict(votes.items()) if isinstance(votes, pd.Series | Mapping) else dict(votes)
    )
    return pairs.items()


def project_participant(state: OpinionState | dict[str, Any], votes: Any) -> tuple[float, float]:
    """Place one participant on the last analysis's map from their current votes.

    This is the fast path for a new vote: the same sparsity-aware projection as the full
    analysis (§3.4), with the stored column means and components, so a participant moves as
    soon as they vote instead of at the next full analysis. Statements the analysis did not
    know yet are skipped until the next analysis adds them to the map.

    Parameters
    ----------
    state
        ``OpinionResult.state`` (or its ``to_dict()``; converting it costs more than the
        projection, so keep the state object around in a server).
    votes
        This participant's votes: a mapping statement -> vote, a Series indexed by statement,
        an iterable of (statement, vote) pairs, or a DataFrame with ``statement`` and ``vote``
        (and optionally ``timestamp``; the latest vote per statement wins).

    Returns
    -------
    (x, y): the participant's coordinates in the full analysis (up to rounding) when the
    votes are the same ones.
    """
    model = OpinionState.coerce(state)
    if model is None:
        raise InvalidInput("project_participant needs the state of a previous analysis.")
    index = model.statement_index
    means = model.means
    first, second = model.components[0], model.components[1]
    x = y = 0.0
    counted = 0
    for statement, vote in _vote_pairs(votes):
        if vote not in (-1, 0, 1):
            raise InvalidInput(
                f"A vote must be -1, 0 or 1; got {vote!r} for statement {statement!r}."
            )
        position = index.get(statement)
        if position is None or position >= model.n_columns or model.mod_out[position]:
            continue
        counted += 1
        offset = float(vote) - float(means[position])
        x += offset * float(first[position])
        y += offset * float(second[position])
    n_votes = counted + model.n_mod_out_columns
    scale = math.sqrt(model.n_columns / max(n_votes, 1))
    return x * scale, y * scale
