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


def _solve_side(
    rated: sp.sparray,
    ratings: sp.sparray,
    other_intercept: FloatArray,
    other_factor: FloatArray,
    mu: float,
    ridge_intercept: float,
    ridge_factor: float,
) -> tuple[FloatArray, FloatArray]:
    """Exact ridge solution of (intercept, factor) for every row of ``rated``."""
    block = np.column_stack(
        [
            np.ones_like(other_factor),
            other_factor,
            other_factor * other_factor,
            other_intercept,
            other_intercept * other_factor,
        ]
    )
    sums = rated @ block
    agree_sums = ratings @ np.column_stack([np.ones_like(other_factor), other_factor])
    count, s_f, s_ff, s_i, s_if = (sums[:, j] for j in range(5))
    residual = agree_sums[:, 0] - count * mu - s_i
    residual_f = agree_sums[:, 1] - mu * s_f - s_if
    a11 = count + ridge_intercept
    a12 = s_f
    a22 = s_ff + ridge_factor
    determinant = a11 * a22 - a12 * a12
    safe = np.where(determinant > 0, determinant, 1.0)
    intercept = np.where(determinant > 0, (a22 * residual - a12 * residual_f) / safe, 0.0)
    factor = np.where(determinant > 0, (a11 * residual_f - a12 * residual) / safe, 0.0)
    return np.asarray(intercept), np.asarray(factor)


def _loss(
    ratings: sp.csr_array,
    p_i: FloatArray,
    p_f: FloatArray,
    s_i: FloatArray,
    s_f: FloatArray,
    mu: float,
    lambda_i: float,
    lambda_f: float,
) -> float:
    """The Community Notes loss, summed over blocks of rows to bound memory."""
    n = ratings.nnz
    squared = 0.0
    block = 65_536
    for start in range(0, ratings.shape[0], block):
        stop = min(start + block, ratings.shape[0])
        lo, hi = ratings.indptr[start], ratings.indptr[stop]
        rows = np.repeat(np.arange(start, stop), np.diff(ratings.indptr[start : stop + 1]))
        cols = ratings.indices[lo:hi]
        predicted = mu + p_i[rows] + s_i[cols] + p_f[rows] * s_f[cols]
        squared += float(((ratings.data[lo:hi] - predicted) ** 2).sum())
    users = max(int(np.count_nonzero(np.diff(ratings.indptr))), 1)
    notes = max(int(np.count_nonzero(np.bincount(ratings.indices))), 1) if n else 1
    return (
        (squared / n if n else 0.0)
        + lambda_i * (float(p_i @ p_i) / users + float(s_i @ s_i) / notes + mu * mu)
        + lambda_f * (float(p_f @ p_f) / users + float(s_f @ s_f) / notes)
    )


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
    """
    n_users, n_notes = ratings.shape
    rated = sp.csr_array(
        (np.ones(ratings.nnz), ratings.indices, ratings.indptr), shape=ratings.shape
    )
    user_count = np.diff(rated.indptr)
    note_count = np.bincount(rated.indices, minlength=n_notes).astype(np.float64)
    active_users = max(int(np.count_nonzero(user_count)), 1)
    active_notes = max(int(np.count_nonzero(note_count)), 1)
    n = rated.nnz
    empty = np.zeros(n_notes)
    if n == 0:
        return BridgingFit(
            empty, empty, note_count, np.zeros(n_users), np.zeros(n_users), 0.0, 0.0, 0
        )
    # Transposed views (CSC): products with them are as fast as with a converted copy.
    rated_t = rated.T
    ratings_t = ratings.T
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
    iterations = 0
    for iterations in range(1, max_iters + 1):  # noqa: B007 - the count is reported
        s_i_old, s_f_old, mu_old = s_i, s_f, mu
        s_i, s_f = _solve_side(rated_t, ratings_t, p_i, p_f, mu, ridge_note_i, ridge_note_f)
        p_i, p_f = _solve_side(rated, ratings, s_i, s_f, mu, ridge_user_i, ridge_user_f)
        cross = float(p_f @ (rated @ s_f))
        mu = (total_agree - float(user_count @ p_i) - float(note_count @ s_i) - cross) / (
            n * (1.0 + lambda_intercept)
        )
        change = max(
            float(np.max(np.abs(s_i - s_i_old))),
            float(np.max(np.abs(s_f - s_f_old))),
            abs(mu - mu_old),
        )
        if change < tolerance:
            break
    # The factor's sign is arbitrary; orient it like the map's first axis.
    if float(p_f @ np.asarray(start_factor, dtype=np.float64)) < 0:
        p_f, s_f = -p_f, -s_f
    loss = _loss(ratings, p_i, p_f, s_i, s_f, mu, lambda_intercept, lambda_factor)
    return BridgingFit(s_i, s_f, note_count, p_i, p_f, float(mu), loss, iterations)
