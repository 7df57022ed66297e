"""The bridging score: Community Notes' model and loss, minimised by alternating ridge solves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import approx_fprime

from tracktwo.parts.dialogues.opinion import analyze
from tracktwo.parts.dialogues.opinion._bridging import fit_bridging
from tracktwo.parts.dialogues.opinion._engine import _bridging_status
from tracktwo.parts.dialogues.opinion._settings import Settings

LAMBDA_I, LAMBDA_F = 0.15, 0.03


def _community_notes_loss(
    params: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    ratings: np.ndarray,
    users: int,
    notes: int,
) -> float:
    """The loss exactly as written in Community Notes' matrix factorisation (opinion-math §9)."""
    mu = params[0]
    i_u = params[1 : 1 + users]
    f_u = params[1 + users : 1 + 2 * users]
    i_n = params[1 + 2 * users : 1 + 2 * users + notes]
    f_n = params[1 + 2 * users + notes :]
    predicted = mu + i_u[rows] + i_n[cols] + f_u[rows] * f_n[cols]
    return float(
        np.mean((ratings - predicted) ** 2)
        + LAMBDA_I * (np.mean(i_u**2) + np.mean(i_n**2) + mu**2)
        + LAMBDA_F * (np.mean(f_u**2) + np.mean(f_n**2))
    )


def _random_ratings(seed: int, users: int = 30, notes: int = 12) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    side = np.where(np.arange(users) < users // 2, 1.0, -1.0)
    lean = rng.normal(size=notes)
    rows, cols, values = [], [], []
    for u in range(users):
        for n in rng.choice(notes, size=8, replace=False):
            p = 1 / (1 + np.exp(-(0.3 + 1.5 * side[u] * lean[n])))
            rows.append(u)
            cols.append(n)
            values.append(float(rng.random() < p))
    matrix = sp.coo_array((values, (rows, cols)), shape=(users, notes)).tocsr()
    matrix.sort_indices()
    return sp.csr_array(matrix)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_is_a_stationary_point_of_the_community_notes_loss(seed: int) -> None:
    ratings = _random_ratings(seed)
    # keep explicit zeros (disagrees) as stored entries
    rows = np.repeat(np.arange(ratings.shape[0]), np.diff(ratings.indptr))
    users, notes = ratings.shape
    start = np.where(np.arange(users) < users // 2, 1.0, -1.0)
    fit = fit_bridging(
        ratings,
        start,
        lambda_intercept=LAMBDA_I,
        lambda_factor=LAMBDA_F,
        max_iters=5000,
        tolerance=1e-12,
    )
    params = np.concatenate(
        [
            [fit.global_intercept],
            fit.participant_intercept,
            fit.participant_factor,
            fit.statement_intercept,
            fit.statement_factor,
        ]
    )
    args = (rows, ratings.indices, ratings.data, users, notes)
    loss = _community_notes_loss(params, *args)
    assert loss == pytest.approx(fit.loss, rel=1e-10)
    gradient = approx_fprime(params, _community_notes_loss, 1e-7, *args)
    assert np.max(np.abs(gradient)) < 1e-5
    # and no small step in any direction lowers the loss
    rng = np.random.default_rng(seed)
    for _ in range(20):
        step = rng.normal(size=params.shape) * 1e-3
        assert _community_notes_loss(params + step, *args) >= loss - 1e-12


def test_bridging_statement_beats_partisan_statements() -> None:
    # Two camps of 20; "both" is agreed by nearly everyone, "left"/"right" split the camps.
    rows = []
    rng = np.random.default_rng(4)
    for participant in range(40):
        left = participant < 20
        for k in range(10):
            rows.append((participant, f"left{k}", 1 if left else -1))
            rows.append((participant, f"right{k}", -1 if left else 1))
        rows.append((participant, "both", 1 if rng.random() < 0.95 else -1))
        rows.append((participant, "nobody", -1 if rng.random() < 0.9 else 1))
    result = analyze(pd.DataFrame(rows, columns=["participant", "statement", "vote"]))
    table = result.statements.set_index("statement")
    both = table.loc["both"]
    assert both["bridging_status"] == "helpful"
    assert abs(both["bridging_factor"]) < 0.5
    assert both["bridging"] >= 0.40
    partisan = table.loc[[f"left{k}" for k in range(10)] + [f"right{k}" for k in range(10)]]
    assert (partisan["bridging"] < both["bridging"] - 0.2).all()
    assert (partisan["bridging_factor"].abs() > abs(both["bridging_factor"])).all()
    assert table.loc["nobody", "bridging_status"] == "not_helpful"


def test_status_thresholds_are_community_notes() -> None:
    settings = Settings()
    intercept = np.array([0.45, 0.45, 0.10, -0.10, -0.30, 0.50, 0.50])
    factor = np.array([0.10, 0.60, 0.00, 0.00, 0.40, 0.00, 0.00])
    ratings = np.array([10, 10, 10, 10, 10, 4, 10], dtype=float)
    mod_out = np.array([False] * 6 + [True])
    status = _bridging_status(intercept, factor, ratings, mod_out, settings).tolist()
    assert status == [
        "helpful",  # 0.45 >= 0.40 and |0.10| < 0.5
        "needs_more_ratings",  # high intercept, but the factor is too large to bridge
        "needs_more_ratings",  # neither threshold reached
        "not_helpful",  # -0.10 < -0.05 - 0.8 * 0
        "needs_more_ratings",  # -0.30 is above -0.05 - 0.8 * 0.40 = -0.37
        "needs_more_ratings",  # fewer than 5 ratings
        "excluded",  # moderated out
    ]
