"""Bridging score: Community Notes' one-dimensional biased matrix factorisation (§9).

Model and loss are Community Notes' own::

    r(u, n) ~ mu + i_u + i_n + f_u * f_n
    loss = mean over ratings of (r - r_hat)^2
           + lambda_i * (mean_u i_u^2 + mean_n i_n^2 + mu^2)
           + lambda_f * (mean_u f_u^2 + mean_n f_n^2)

with ratings agree = 1 and disagree = 0 (passes are left out: a pass says "no opinion", not
"half helpful"). A statement's intercept ``i_n`` is its bridging score: because the intercept
penalty is five times the factor penalty, the factor soaks up every agreement that lines up
with the main divide, and the intercept stays high only when people on both sides of it agree.

Community Notes minimises the loss with Adam from a random start. We minimise the *same* loss
by alternating exact ridge solves: with the participants' parameters fixed, each statement's
(i_n, f_n) is a 2x2 least-squares problem with the penalties as ridge terms, and vice versa;
mu has a closed form too. Every step lowers the loss, needs no learning rate, and the whole fit
is deterministic, starting from the participants' first map coordinate. Like Adam it can only
promise a stationary point of this non-convex loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tracktwo.parts.dialogues.opinion._sparse import RowBlocks

__all__ = ["BridgingFit", "fit_bridging"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BridgingFit:
    """Fitted parameters per statement and participant, the global intercept and the loss."""

    statement_intercept: FloatArray
    statement_factor: FloatArray
    statement_ratings: FloatArray
    participant_intercept: FloatArray
    participant_factor: FloatArray
    global_intercept: float
    loss: float
    iterations: int


@dataclass(frozen=True)
class _Sums:
    """Per-row sums over a row's ratings that both the ridge solve and the loss need."""

    count: FloatArray  # ratings
    factor: FloatArray  # sum of the other side's factors
    factor_squared: FloatArray
    intercept: FloatArray
    intercept_factor: FloatArray
    agree: FloatArray  # agrees (ratings equal to 1)
    agree_factor: FloatArray  # sum of the other side's factors over agrees


@dataclass(frozen=True)
class _Round:
    """Parameters and loss after one round of block updates."""

    p_i: FloatArray
    p_f: FloatArray
    s_i: FloatArray
    s_f: FloatArray
    mu: float
    loss: float


def _split_by_rating(ratings: sp.csr_array) -> RowBlocks:
    """One matrix that serves both "all ratings" and "agrees only" sums in a single pass.

    Each rating of statement n goes to column n (disagree) or column n + M (agree), with
    value 1. Multiplying by the statement parameters stacked twice then sums over all
    ratings, and a column that is zero in the upper half sums over agrees only, so every
    round reads the ratings once per side instead of twice.
    """
    n_notes = ratings.shape[1]
    split = sp.csr_array((ratings.shape[0], 2 * n_notes), dtype=np.float64)
    split.indptr = ratings.indptr
    split.indices = (ratings.indices + n_notes * (ratings.data > 0)).astype(ratings.indices.dtype)
    split.data = np.ones(ratings.nnz)
    return RowBlocks(split)


def _sums(
    split: RowBlocks,
    intercept: FloatArray,
    factor: FloatArray,
    count: FloatArray,
    agree: FloatArray,
    *,
    transpose: bool,
) -> _Sums:
    """Sums over each row's ratings (or each column's, with ``transpose``) of the other side's
    parameters. Counts and agree counts never change, so they are passed in, not recomputed."""
    block = np.column_stack([factor, factor * factor, intercept, intercept * factor, factor])
    if transpose:
        both = split.rmatmul(block)
        half = both.shape[0] // 2
        totals = both[:half, :4] + both[half:, :4]
        agree_factor = both[half:, 4]
    else:
        stacked = np.vstack([block, block])
        stacked[: block.shape[0], 4] = 0.0
        both = split.matmul(stacked)
        totals, agree_factor = both[:, :4], both[:, 4]
    return _Sums(
        count=count,
        factor=totals[:, 0],
        factor_squared=totals[:, 1],
        intercept=totals[:, 2],
        intercept_factor=totals[:, 3],
        agree=agree,
        agree_factor=np.ascontiguousarray(agree_factor),
    )


def _solve(
    sums: _Sums, mu: float, ridge_intercept: float, ridge_factor: float
) -> tuple[FloatArray, FloatArray]:
    """Exact ridge solution of (intercept, factor) for every row, given the other side."""
    residual = sums.agree - sums.count * mu - sums.intercept
    residual_f = sums.agree_factor - mu * sums.factor - sums.intercept_factor
    a11 = sums.count + ridge_intercept
    a12 = sums.factor
    a22 = sums.factor_squared + ridge_factor
    determinant = a11 * a22 - a12 * a12
    safe = np.where(determinant > 0, determinant, 1.0)
    intercept = np.where(determinant > 0, (a22 * residual - a12 * residual_f) / safe, 0.0)
    factor = np.where(determinant > 0, (a11 * residual_f - a12 * residual) / safe, 0.0)
    return np.asarray(intercept), np.asarray(factor)


def _squared_error(
    sums: _Sums,
    p_i: FloatArray,
    p_f: FloatArray,
    mu: float,
    total_agree: float,
    note_count: FloatArray,
    note_agree: FloatArray,
    s_i: FloatArray,
    n: int,
) -> float:
    """Sum of squared errors over all ratings, from per-participant sums (no pass over them).

    Expands sum (r - r_hat)^2 = sum r - 2 sum r r_hat + sum r_hat^2 (r is 0 or 1); every term
    is a dot product of per-participant or per-statement sums that the solve has already made.
    """
    cross = (
        mu * total_agree
        + float(p_i @ sums.agree)
        + float(s_i @ note_agree)
        + float(p_f @ sums.agree_factor)
    )
    square = (
        n * mu * mu
        + float(sums.count @ (p_i * p_i))
        + float(note_count @ (s_i * s_i))
        + float((p_f * p_f) @ sums.factor_squared)
        + 2 * mu * (float(sums.count @ p_i) + float(note_count @ s_i) + float(p_f @ sums.factor))
        + 2 * float(p_i @ sums.intercept)
        + 2 * float((p_i * p_f) @ sums.factor)
        + 2 * float(p_f @ sums.intercept_factor)
    )
    return total_agree - 2 * cross + square


def fit_bridging(
    ratings: sp.csr_array,
    start_factor: FloatArray,
    *,
    lambda_intercept: float,
    lambda_factor: float,
    max_iters: int,
    tolerance: float,
) -> BridgingFit:
    """Fit the model on a participants x statements rating matrix.

    Parameters
    ----------
    ratings
        Stored entries are the ratings: 1.0 for agree, an explicit 0.0 for disagree. Passes
        and moderated-out statements are simply not stored.
    start_factor
        Starting participant factors (the map's first coordinate); any scale.
    tolerance
        Stop when the loss changes by less than this in one round, Community Notes' own
        stopping rule (1e-7 there).
    """
    n_users, n_notes = ratings.shape
    split = _split_by_rating(ratings)
    user_count = np.diff(ratings.indptr).astype(np.float64)
    user_agree = split.matmul(np.concatenate([np.zeros(n_notes), np.ones(n_notes)]))
    note_count = np.bincount(ratings.indices, minlength=n_notes).astype(np.float64)
    note_agree = np.bincount(ratings.indices, weights=ratings.data, minlength=n_notes).astype(
        np.float64
    )
    active_users = max(int(np.count_nonzero(user_count)), 1)
    active_notes = max(int(np.count_nonzero(note_count)), 1)
    n = ratings.nnz
    if n == 0:
        empty = np.zeros(n_notes)
        return BridgingFit(
            empty, empty, note_count, np.zeros(n_users), np.zeros(n_users), 0.0, 0.0, 0
        )
    # Penalties written per rating: loss * N gives ridge weights N * lambda / (entities).
    ridge_user_i = n * lambda_intercept / active_users
    ridge_user_f = n * lambda_factor / active_users
    ridge_note_i = n * lambda_intercept / active_notes
    ridge_note_f = n * lambda_factor / active_notes

    p_f = np.asarray(start_factor, dtype=np.float64).copy()
    spread = float(np.sqrt(np.mean(p_f**2))) if p_f.size else 0.0
    if spread > 0:
        p_f /= spread
    else:
        p_f = np.where(np.arange(n_users) % 2 == 0, 1.0, -1.0)
    p_f[user_count == 0] = 0.0
    p_i = np.zeros(n_users)
    s_i = np.zeros(n_notes)
    s_f = np.zeros(n_notes)
    total_agree = float(ratings.data.sum())
    mu = total_agree / n / (1.0 + lambda_intercept)

    def sweep(p_i: FloatArray, p_f: FloatArray, mu: float) -> _Round:
        """One round of exact block updates: statements, then participants, then mu."""
        note_sums = _sums(split, p_i, p_f, note_count, note_agree, transpose=True)
        s_i, s_f = _solve(note_sums, mu, ridge_note_i, ridge_note_f)
        user_sums = _sums(split, s_i, s_f, user_count, user_agree, transpose=False)
        p_i, p_f = _solve(user_sums, mu, ridge_user_i, ridge_user_f)
        cross = float(p_f @ user_sums.factor)
        mu = (total_agree - float(user_count @ p_i) - float(note_count @ s_i) - cross) / (
            n * (1.0 + lambda_intercept)
        )
        squared = _squared_error(
            user_sums, p_i, p_f, mu, total_agree, note_count, note_agree, s_i, n
        )
        loss = (
            squared / n
            + lambda_intercept
            * (float(p_i @ p_i) / active_users + float(s_i @ s_i) / active_notes + mu * mu)
            + lambda_factor * (float(p_f @ p_f) / active_users + float(s_f @ s_f) / active_notes)
        )
        return _Round(p_i, p_f, s_i, s_f, mu, loss)

    current = sweep(np.zeros(n_users), p_f, mu)
    previous: _Round | None = None
    momentum = 0.5
    iterations = 1
    while iterations < max_iters:
        iterations += 1
        candidate = None
        if previous is not None and momentum > 0:
            # Extrapolate along the last step (alternating least squares crawls along narrow
            # valleys); keep the result only if the loss went down, as plain rounds always do.
            candidate = sweep(
                current.p_i + momentum * (current.p_i - previous.p_i),
                current.p_f + momentum * (current.p_f - previous.p_f),
                current.mu + momentum * (current.mu - previous.mu),
            )
            if candidate.loss <= current.loss:
                momentum = min(momentum * 1.5, 4.0)
            else:
                candidate = None
                momentum = momentum / 4 if momentum > 0.1 else 0.0
        if candidate is None:
            candidate = sweep(current.p_i, current.p_f, current.mu)
        converged = abs(current.loss - candidate.loss) < tolerance
        previous, current = current, candidate
        if converged:
            break
    p_i, p_f, s_i, s_f, mu, loss = (
        current.p_i,
        current.p_f,
        current.s_i,
        current.s_f,
        current.mu,
        current.loss,
    )
    # The factor's sign is arbitrary; orient it like the map's first axis.
    if float(p_f @ np.asarray(start_factor, dtype=np.float64)) < 0:
        p_f, s_f = -p_f, -s_f
    return BridgingFit(s_i, s_f, note_count, p_i, p_f, float(mu), float(loss), iterations)
