"""Replay a vote history the way Polis's math worker saw it, update by update.

Polis's groups depend on the path: every update warm-starts its k-means from the previous one
and the k-smoother counts updates. To get the groups Polis users saw from an export, the
votes have to be fed in again in time order, in the batches Polis would have processed.

**The batching rule.** Polis's math worker polls the database for new votes every second
(``poller.clj``, polling interval 1000 ms) and hands each conversation everything that arrived
since its last poll; the conversation's actor then runs one update on all queued votes
(``conv_man.clj``: it takes every waiting message before updating). So one update covers the
votes of one poll interval, and quiet periods produce no updates at all. The replay therefore
starts a batch at the first vote not yet processed and includes every vote with a timestamp
less than one poll interval later. The update's own running time (which would merge more votes
into the next batch while the worker is busy) is not recorded anywhere in an export, so it is
not modelled: the rule has no parameter fitted to data, only Polis's configured interval.
A longer ``interval_ms`` merges more votes into each update, as a busy worker would; it also
makes the replay much cheaper (one update per second of activity is about 50,000 updates for
the larger public conversations).

**The map between updates.** Polis's power iteration does not start afresh at each update: it
continues from the previous components for a bounded number of iterations. Intermediate
replayed updates likewise continue the subspace iteration from the previous update's block
for at most ``REPLAY_PCA_ITERS`` iterations, so the map tracks the votes across updates; the
final update converges fully.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion._engine import Progress, analyze_matrix
from tracktwo.parts.dialogues.opinion._result import OpinionResult
from tracktwo.parts.dialogues.opinion._settings import Settings
from tracktwo.parts.dialogues.opinion._state import OpinionState
from tracktwo.parts.dialogues.opinion._update import map_and_groups, warm_from_state
from tracktwo.parts.dialogues.opinion._votes import VoteMatrix, arrival_order, build_vote_matrix

__all__ = ["POLL_INTERVAL_MS", "replay", "update_batches"]

IntArray = npt.NDArray[np.int64]

POLL_INTERVAL_MS = 1000
REPLAY_PCA_ITERS = 2


def update_batches(times: npt.NDArray[Any], interval: float = POLL_INTERVAL_MS) -> IntArray:
    """End positions (exclusive) of the update batches of time-sorted vote ``times``.

    A batch starts at the first vote not yet processed and takes every vote with a time
    less than ``interval`` later (see the module docstring for why).
    """
    ends: list[int] = []
    start = 0
    n = len(times)
    while start < n:
        stop = int(np.searchsorted(times, times[start] + interval, side="left"))
        stop = max(stop, start + 1)
        ends.append(stop)
        start = stop
    return np.asarray(ends, dtype=np.int64)


class _History:
    """Final-vote matrices of every prefix of the vote stream, each built in linear time."""

    def __init__(self, p_codes: IntArray, s_codes: IntArray, values: npt.NDArray[np.int8]) -> None:
        n = len(values)
        n_statements = int(s_codes.max()) + 1 if n else 0
        key = p_codes * max(n_statements, 1) + s_codes
        by_pair = np.argsort(key, kind="stable")
        following = np.full(n, n, dtype=np.int64)
        same = key[by_pair[1:]] == key[by_pair[:-1]]
        following[by_pair[:-1][same]] = by_pair[1:][same]
        self._row = by_pair
        self._superseded_at = following[by_pair]
        self._p = p_codes[by_pair]
        self._s = s_codes[by_pair].astype(np.int32)
        self._values = values[by_pair].astype(np.float64)
        self._n_participants = np.maximum.accumulate(p_codes) + 1 if n else p_codes
        self._n_statements = np.maximum.accumulate(s_codes) + 1 if n else s_codes

    def matrix(self, end: int) -> tuple[sp.csr_array, int, int]:
        n_participants = int(self._n_participants[end - 1])
        n_statements = int(self._n_statements[end - 1])
        live = (self._row < end) & (self._superseded_at >= end)
        counts = np.bincount(self._p[live], minlength=n_participants)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        matrix = sp.csr_array(
            (self._values[live], self._s[live], indptr), shape=(n_participants, n_statements)
        )
        return matrix, n_participants, n_statements


def _prefix(full: VoteMatrix, matrix: sp.csr_array, n_p: int, n_s: int) -> VoteMatrix:
    return VoteMatrix(
        participant_ids=full.participant_ids[:n_p],
        statement_ids=full.statement_ids[:n_s],
        matrix=matrix,
        n_voted_statements=n_s,
        text=full.text[:n_s],
        moderated=full.moderated[:n_s],
        is_meta=full.is_meta[:n_s],
        is_seed=full.is_seed[:n_s],
        n_input_rows=int(matrix.nnz),
        n_superseded=0,
    )


def replay(
    votes: pd.DataFrame,
    sides: Mapping[Any, Any] | pd.Series | None = None,
    previous: OpinionState | dict[str, Any] | None = None,
    *,
    statements: pd.DataFrame | None = None,
    interval_ms: float = POLL_INTERVAL_MS,
    restart_before_final: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
    **settings: Any,
) -> OpinionResult:
    """Analyse a conversation by replaying its votes in time order, one Polis update per batch.

    Every batch but the last runs the stateful part of an update (map, in-conversation rule,
    base clusters, groups, k-smoother) warm-started from the one before; the last batch runs a
    full :func:`analyze`. Moderation is taken as final throughout, since exports do not say
    when a statement was moderated.

    Parameters
    ----------
    votes
        As for :func:`analyze`, with a ``timestamp`` column (milliseconds).
    interval_ms
        Length of one update batch; Polis's poll interval by default.
    restart_before_final
        Run the final update as Polis runs the first update after its math worker restarts,
        or when its export tool recomputes the math: Polis stores the base clusters, the
        in-conversation set and the map, but not the per-k group clusterings or the
        k-smoother (issue #2358), so group k-means starts afresh from the stored base
        clusters and the best k is taken at once. An export made after a restart (the usual
        case for a finished conversation) carries these groups; pass False to keep the
        worker's in-memory path instead.
    sides, previous, statements, seed, progress, **settings
        As for :func:`analyze`.
    """
    config = Settings.from_kwargs(settings)
    state = OpinionState.coerce(previous)
    if "timestamp" not in getattr(votes, "columns", ()):
        raise InvalidInput("Replaying votes needs a timestamp column (milliseconds since 1970).")
    if not interval_ms > 0:
        raise InvalidInput("interval_ms must be positive.")
    if config.max_participants is not None or config.max_statements is not None:
        raise InvalidInput("Replay does not support the size caps; analyse without them.")
    arrivals = arrival_order(votes)
    full = build_vote_matrix(votes, statements)
    times = arrivals.times if arrivals.times is not None else np.empty(0)
    ends = update_batches(np.asarray(times), interval_ms)
    history = _History(arrivals.participant_codes, arrivals.statement_codes, arrivals.values)
    total = len(ends)
    tracking = dataclasses.replace(
        config, pca_max_iters=min(config.pca_max_iters, REPLAY_PCA_ITERS)
    )
    warm = warm_from_state(state, full) if state is not None else None
    for number, end in enumerate(ends[:-1]):
        matrix, n_p, n_s = history.matrix(int(end))
        warm = map_and_groups(_prefix(full, matrix, n_p, n_s), warm, tracking, seed).warm
        if progress is not None and number % 100 == 0:
            progress(0.9 * number / total, f"replaying update {number + 1} of {total}")

    if restart_before_final and warm is not None:
        warm = dataclasses.replace(warm, groups={}, last_k=None, last_k_count=0, smoothed_k=None)

    def final_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(0.9 + 0.1 * fraction, message)

    return analyze_matrix(
        full, sides=sides, warm=warm, settings=config, seed=seed, progress=final_progress
    )
