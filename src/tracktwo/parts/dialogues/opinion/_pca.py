"""The opinion map: Polis's PCA on the mean-imputed vote matrix, kept sparse (opinion-math §3).

Polis fills each missing vote with its column's mean and then centres the columns. After
centring every imputed cell is exactly zero, so the centred matrix has the same sparsity as the
votes: we centre the stored values only and never build the dense matrix.

Polis finds the two components by power iteration warm-started from the previous update. We
compute the same subspace to a tight tolerance: by block subspace iteration with a
Rayleigh-Ritz step, warm-started from the previous components when there are any (then a few
iterations suffice), or, on a cold start with few statements, by an exact eigendecomposition
of the small Gram matrix. Because distances in the plane
do not change under rotation or reflection, the clustering only depends on the subspace; signs
are still fixed deterministically so maps do not flip between refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tracktwo.parts.dialogues.opinion._sparse import RowBlocks

__all__ = [
    "MapModel",
    "centre_rating_matrix",
    "fit_map",
    "participant_scale",
    "project_participants",
    "statement_projection",
]

FloatArray = npt.NDArray[np.float64]

N_COMPONENTS = 2
# Extra vectors in the iterated block: convergence then goes with
# (sigma_{2+GUARD+1} / sigma_2) per step instead of (sigma_3 / sigma_2).
GUARD_VECTORS = 4
# Below these sizes the C x C Gram matrix is small and cheap to form exactly.
GRAM_MAX_STATEMENTS = 256
GRAM_MAX_WORK = 50_000_000


@dataclass(frozen=True)
class MapModel:
    """What the map needs to place a participant: column means, two components, C.

    ``n_columns`` is Polis's C, the number of statements with at least one vote; the
    projection scale ``sqrt(C / n_votes)`` uses it. ``n_mod_out_columns`` counts the
    moderated-out statements with votes: Polis zeroes those columns for everybody, so they
    count as voted (0) for every participant.
    """

    means: FloatArray
    components: FloatArray
    singular_values: FloatArray
    n_columns: int
    n_mod_out_columns: int
    iterations: int
    block: FloatArray | None = None


def centre_rating_matrix(
    matrix: sp.csr_array, mod_out: npt.NDArray[np.bool_]
) -> tuple[sp.csr_array, FloatArray]:
    """Centre the observed votes by their column means; moderated-out columns become zero.

    Returns the centred matrix (same sparsity pattern as ``matrix``) and the column means
    (0 for moderated-out and unvoted columns), i.e. Polis's PCA centre.
    """
    n_columns = matrix.shape[1]
    counts = np.bincount(matrix.indices, minlength=n_columns).astype(np.float64)
    sums = np.bincount(matrix.indices, weights=matrix.data, minlength=n_columns)
    means = np.divide(sums, counts, out=np.zeros(n_columns), where=counts > 0)
    means[mod_out] = 0.0
    data = matrix.data - means[matrix.indices]
    if mod_out.any():
        data[mod_out[matrix.indices]] = 0.0
    centred = sp.csr_array((data, matrix.indices, matrix.indptr), shape=matrix.shape)
    return centred, means


def participant_scale(
    matrix: sp.csr_array, mod_out: npt.NDArray[np.bool_], n_columns: int
) -> FloatArray:
    """Polis's ``sqrt(C / max(n_votes, 1))`` per participant (§3, step 4).

    ``n_votes`` counts the participant's votes outside moderated-out columns plus every
    moderated-out column with votes, because Polis sets those cells to 0 for everyone.
    """
    per_row = np.diff(matrix.indptr).astype(np.float64)
    n_mod_out_columns = int(np.count_nonzero(mod_out[:n_columns]))
    if n_mod_out_columns:
        in_mod_out = sp.csr_array(
            (mod_out[matrix.indices].astype(np.float64), matrix.indices, matrix.indptr),
            shape=matrix.shape,
        )
        per_row += n_mod_out_columns - in_mod_out.sum(axis=1)
    return np.asarray(np.sqrt(n_columns / np.maximum(per_row, 1.0)), dtype=np.float64)


def _orthonormal(block: FloatArray) -> FloatArray:
    q, _ = np.linalg.qr(block)
    return np.asarray(q, dtype=np.float64)


def _sin_largest_angle(a: FloatArray, b: FloatArray) -> float:
    """Sine of the largest principal angle between two 2-D subspaces (orthonormal bases).

    The cosines are the singular values of the 2 x 2 matrix ``a.T @ b``; the smallest one
    has a closed form, which is much cheaper than an SVD call at every iteration.
    """
    m = a.T @ b
    frobenius = float((m * m).sum())
    determinant = float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])
    discriminant = max(frobenius * frobenius - 4.0 * determinant * determinant, 0.0)
    smallest_squared = max((frobenius - np.sqrt(discriminant)) / 2.0, 0.0)
    return float(np.sqrt(max(0.0, 1.0 - min(smallest_squared, 1.0))))


def _gram_components(centred: sp.csr_array) -> tuple[FloatArray, FloatArray]:
    gram = (centred.T @ centred).toarray()
    eigenvalues, vectors = np.linalg.eigh(gram)
    order = np.argsort(-eigenvalues, kind="stable")
    values = np.sqrt(np.clip(eigenvalues[order], 0.0, None))
    return np.asarray(vectors[:, order].T, dtype=np.float64), values


def _subspace_components(
    centred: RowBlocks,
    start: FloatArray,
    max_iters: int,
    tolerance: float,
) -> tuple[FloatArray, FloatArray, int]:
    """Block subspace iteration on X^T X with a Rayleigh-Ritz step.

    Returns the Ritz vectors (rows, best first), their singular values and the iteration
    count. Stops when the top-2 subspace moved by less than ``tolerance`` (sine of the
    largest principal angle) in one iteration, or after ``max_iters`` iterations.
    """
    basis = _orthonormal(start)
    previous_top: FloatArray | None = None
    ritz = basis
    values = np.zeros(basis.shape[1])
    iterations = 0
    for iterations in range(1, max_iters + 1):
        scores = centred.matmul(basis)
        eigenvalues, rotation = np.linalg.eigh(scores.T @ scores)
        order = np.argsort(-eigenvalues, kind="stable")
        rotation = rotation[:, order]
        values = np.sqrt(np.clip(eigenvalues[order], 0.0, None))
        ritz = basis @ rotation
        top = ritz[:, :N_COMPONENTS]
        if previous_top is not None and _sin_largest_angle(previous_top, top) < tolerance:
            break
        previous_top = top
        if iterations < max_iters:
            basis = _orthonormal(centred.rmatmul(scores @ rotation))
    return np.asarray(ritz.T, dtype=np.float64), values, iterations


def _fix_signs(components: FloatArray, previous: FloatArray | None) -> FloatArray:
    """Orient each component: like the previous one if there is one, else largest entry > 0."""
    fixed = components.copy()
    for index in range(fixed.shape[0]):
        row = fixed[index]
        if not row.any():
            continue
        if previous is not None and index < previous.shape[0]:
            overlap = float(row @ previous[index])
            if abs(overlap) > 1e-9:
                if overlap < 0:
                    fixed[index] = -row
                continue
        if row[int(np.argmax(np.abs(row)))] < 0:
            fixed[index] = -row
    return fixed


def fit_map(
    centred: sp.csr_array,
    means: FloatArray,
    *,
    n_columns: int,
    n_mod_out_columns: int,
    previous_components: FloatArray | None,
    seed: int,
    max_iters: int,
    tolerance: float,
    previous_block: FloatArray | None = None,
) -> MapModel:
    """Find the two principal components of the centred sparse vote matrix.

    ``previous_components`` (2 x C, aligned with the current columns, zeros for new
    statements) warm-starts the iteration and orients the signs, as Polis's power iteration
    does; ``seed`` fixes the starting block otherwise. ``previous_block`` (C x b, the whole
    iterated block of the previous fit, kept in memory between replayed updates) is an even
    better start.
    """
    n_rows, n_cols = centred.shape
    components = np.zeros((N_COMPONENTS, n_cols))
    singular = np.zeros(N_COMPONENTS)
    iterations = 0
    block: FloatArray | None = None
    if n_rows and n_cols and centred.nnz and np.any(centred.data):
        row_counts = np.diff(centred.indptr).astype(np.float64)
        gram_work = float(row_counts @ row_counts)
        warm = previous_components is not None and bool(np.any(previous_components))
        small = n_cols <= N_COMPONENTS + GUARD_VECTORS
        if small or (not warm and n_cols <= GRAM_MAX_STATEMENTS and gram_work <= GRAM_MAX_WORK):
            vectors, values = _gram_components(centred)
        else:
            width = min(n_cols, N_COMPONENTS + GUARD_VECTORS)
            start = np.random.default_rng(seed).standard_normal((n_cols, width))
            if previous_block is not None and previous_block.shape == start.shape:
                start = previous_block.copy()
            elif warm and previous_components is not None:
                used = min(N_COMPONENTS, width)
                start[:, :used] = previous_components[:used, :].T
            vectors, values, iterations = _subspace_components(
                RowBlocks(centred), start, max_iters, tolerance
            )
            block = vectors.T
        keep = min(N_COMPONENTS, vectors.shape[0])
        components[:keep] = vectors[:keep]
        singular[:keep] = values[:keep]
        # Directions with no variance are numerical noise: Polis's power iteration would give
        # an arbitrary vector there; we give none, so the map never depends on rounding.
        negligible = singular <= max(singular[0], 0.0) * 1e-10 * max(n_rows, n_cols)
        components[negligible] = 0.0
        singular[negligible] = 0.0
        components = _fix_signs(components, previous_components)
    return MapModel(
        means=means,
        components=components,
        singular_values=singular,
        n_columns=n_columns,
        n_mod_out_columns=n_mod_out_columns,
        iterations=iterations,
        block=block,
    )


def project_participants(centred: sp.csr_array, model: MapModel, scale: FloatArray) -> FloatArray:
    """Polis's sparsity-aware projection: only voted cells count, scaled by sqrt(C / n)."""
    projected = RowBlocks(centred).matmul(np.ascontiguousarray(model.components.T))
    return projected * scale[:, None]


def statement_projection(model: MapModel) -> tuple[FloatArray, FloatArray]:
    """Place each statement where a participant who agreed with it alone would be (§3.5).

    Returns the C x 2 coordinates and the extremity (their length), which routing uses.
    """
    agree_offset = 1.0 - model.means
    coordinates = (model.components * agree_offset).T * np.sqrt(max(model.n_columns, 0))
    extremity = np.sqrt((coordinates**2).sum(axis=1))
    return np.asarray(coordinates, dtype=np.float64), np.asarray(extremity, dtype=np.float64)
