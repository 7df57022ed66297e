"""Polis's k-means, written from its description (opinion-math §4), not from its code.

scikit-learn's KMeans is a different algorithm in the details that decide which groups come
out: it re-seeds empty clusters, uses k-means++ or random starts and a relative tolerance.
Polis instead starts from the first k distinct points in row order, drops empty clusters,
stops when every centre moved less than 0.01, and warm-starts every update from the previous
clusters (recentred on the new positions, then split by the most distant point until there
are k). Groups only look like Polis's groups if all of that is reproduced, so this module
implements it by hand; the distance work is vectorised with numpy.

A clustering is a list of cluster ids (sorted), their centres, and a label per data row
giving the position of its cluster in that list (-1: not a member of any cluster yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "Clustering",
    "choose_k",
    "count_distinct",
    "distance_matrix",
    "polis_kmeans",
    "silhouette",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Polis's same-clustering? threshold: every centre moved less than this.
CONVERGED_SHIFT = 0.01
# Rows per block when computing point-to-centre distances (bounds peak memory).
CHUNK = 32_768
# From this many points on, Lloyd steps skip points whose nearest centre provably cannot
# have changed (Hamerly's bounds); the result is the same, only cheaper.
BOUNDS_FROM = 20_000


@dataclass(frozen=True)
class Clustering:
    """Cluster ids (ascending), centres (one row per id) and each row's cluster position."""

    ids: IntArray
    centres: FloatArray
    labels: IntArray

    @property
    def sizes(self) -> IntArray:
        return np.bincount(self.labels[self.labels >= 0], minlength=len(self.ids)).astype(np.int64)


def _weighted_centres(
    points: FloatArray, labels: IntArray, n_clusters: int, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    member = labels >= 0
    lab = labels[member]
    w = weights[member]
    total = np.bincount(lab, weights=w, minlength=n_clusters)
    centres = np.empty((n_clusters, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        centres[:, 0] = (
            np.bincount(lab, weights=w * points[member, 0], minlength=n_clusters) / total
        )
        centres[:, 1] = (
            np.bincount(lab, weights=w * points[member, 1], minlength=n_clusters) / total
        )
    return centres, np.asarray(total, dtype=np.float64)


def _as_complex(points: FloatArray) -> npt.NDArray[np.complex128]:
    """Each 2-D point as one complex number, so that numpy's fast 1-D unique applies."""
    return np.ascontiguousarray(points, dtype=np.float64).view(np.complex128).reshape(-1)


def _nearest(points: FloatArray, centres: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Nearest centre (first one on ties), its distance and the second-nearest distance."""
    n = len(points)
    nearest = np.empty(n, dtype=np.int64)
    first = np.empty(n)
    second = np.full(n, np.inf)
    for start in range(0, n, CHUNK):
        block = points[start : start + CHUNK]
        d2 = (block[:, 0, None] - centres[None, :, 0]) ** 2 + (
            block[:, 1, None] - centres[None, :, 1]
        ) ** 2
        best = np.argmin(d2, axis=1)
        nearest[start : start + CHUNK] = best
        rows = np.arange(len(block))
        first[start : start + CHUNK] = d2[rows, best]
        if centres.shape[0] > 1:
            d2[rows, best] = np.inf
            second[start : start + CHUNK] = d2.min(axis=1)
    return nearest, np.sqrt(first), np.sqrt(second)


def _same_clustering(old: FloatArray, new: FloatArray) -> bool:
    """Polis's test: sort both centre lists, pair them up, all moved < 0.01."""
    a = old[np.lexsort((old[:, 1], old[:, 0]))]
    b = new[np.lexsort((new[:, 1], new[:, 0]))]
    m = min(len(a), len(b))
    if m == 0:
        return True
    return bool(np.all(np.sqrt(((a[:m] - b[:m]) ** 2).sum(axis=1)) < CONVERGED_SHIFT))


def init_clusters(points: FloatArray, k: int) -> Clustering:
    """The first k distinct points in row order become the centres of clusters 0..k-1."""
    if len(points) == 0:
        return Clustering(np.empty(0, np.int64), np.empty((0, 2)), np.empty(0, np.int64))
    _, first_index = np.unique(_as_complex(points), return_index=True)
    chosen = np.sort(first_index)[:k]
    return Clustering(
        ids=np.arange(len(chosen), dtype=np.int64),
        centres=points[chosen].astype(np.float64),
        labels=np.full(len(points), -1, dtype=np.int64),
    )


def count_distinct(points: FloatArray) -> int:
    """Number of distinct points (exact equality)."""
    return len(np.unique(_as_complex(points))) if len(points) else 0


def clean_start(
    points: FloatArray,
    previous: Clustering,
    k: int,
    weights: FloatArray,
    n_distinct: int | None = None,
) -> Clustering:
    """Warm start: recentre the previous clusters on the new positions, merge clusters with
    identical centres, then split off the most distant point until there are
    ``min(k, distinct points)`` clusters (Polis's clean-start-clusters)."""
    n_prev = len(previous.ids)
    centres, total = _weighted_centres(points, previous.labels, n_prev, weights)
    alive = total > 0
    if not alive.any():
        new_id = int(previous.ids.max()) + 1 if n_prev else 0
        everyone = np.zeros(len(points), dtype=np.int64)
        centres, _ = _weighted_centres(points, everyone, 1, weights)
        return Clustering(np.array([new_id], np.int64), centres, everyone)
    ids = [int(i) for i in previous.ids[alive]]
    centre_list = [c for c in centres[alive]]
    remap = np.full(n_prev, -1, dtype=np.int64)
    remap[alive] = np.arange(int(alive.sum()))
    labels = np.where(previous.labels >= 0, remap[np.maximum(previous.labels, 0)], -1)

    # Merge clusters whose centres coincide exactly, folding left to right as Polis does:
    # the bigger of the two gives its id (the later one on a tie).
    sizes = np.bincount(labels[labels >= 0], minlength=len(ids))
    stacked = np.asarray(centre_list)
    _, first, inverse = np.unique(_as_complex(stacked), return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(first) < len(ids):
        kept = np.sort(first)
        for twin_group in np.flatnonzero(np.bincount(inverse) > 1):
            positions = np.flatnonzero(inverse == twin_group)
            head = positions[0]
            size = sizes[head]
            for position in positions[1:]:
                if sizes[position] >= size:
                    ids[head] = ids[position]
                size += sizes[position]
        head_of = first[inverse]
        rank = np.searchsorted(kept, head_of)
        labels = np.where(labels >= 0, rank[np.maximum(labels, 0)], -1)
        ids = [ids[p] for p in kept]
    centres, _ = _weighted_centres(points, labels, len(ids), weights)

    # Counting distinct points costs a sort; it only matters when clusters are missing.
    possible = len(ids)
    if k > len(ids):
        possible = min(k, count_distinct(points) if n_distinct is None else n_distinct)
    if possible > len(ids):
        nearest, distance, _ = _nearest(points, centres)
        while possible > len(ids):
            # Polis's max-key keeps the last of equal maxima.
            far = len(distance) - 1 - int(np.argmax(distance[::-1]))
            if distance[far] <= 0:
                break
            old = int(labels[far])
            labels[far] = len(ids)
            ids.append(max(ids) + 1)
            centres = np.vstack([centres, points[far]])
            changed_d = np.sqrt(((points - points[far]) ** 2).sum(axis=1))
            closer = changed_d < distance
            nearest[closer] = len(ids) - 1
            distance[closer] = changed_d[closer]
            if old >= 0:
                new_centre, _ = _weighted_centres(
                    points, np.where(labels == old, 0, -1), 1, weights
                )
                centres[old] = new_centre[0]
                stale = nearest == old
                if stale.any():
                    idx, dist, _ = _nearest(points[stale], centres)
                    nearest[stale] = idx
                    distance[stale] = dist
                moved = np.sqrt(((points - centres[old]) ** 2).sum(axis=1))
                closer = moved < distance
                nearest[closer] = old
                distance[closer] = moved[closer]
    order_by_id = np.argsort(np.asarray(ids), kind="stable")
    inverse = np.empty_like(order_by_id)
    inverse[order_by_id] = np.arange(len(order_by_id))
    labels = np.where(labels >= 0, inverse[np.maximum(labels, 0)], -1)
    return Clustering(np.asarray(ids, np.int64)[order_by_id], centres[order_by_id], labels)


def _step(
    points: FloatArray,
    ids: IntArray,
    centres: FloatArray,
    weights: FloatArray,
    assigned: IntArray,
) -> tuple[IntArray, FloatArray, IntArray]:
    centres_new, total = _weighted_centres(points, assigned, len(ids), weights)
    alive = total > 0
    remap = np.cumsum(alive) - 1
    return ids[alive], centres_new[alive], remap[assigned]


def _lloyd(
    points: FloatArray, start: Clustering, weights: FloatArray, max_iters: int
) -> Clustering:
    """Polis's loop: up to ``max_iters + 1`` assign-and-average steps, stopping once no centre
    moved 0.01 or more; clusters left empty are dropped."""
    ids, centres = start.ids, start.centres
    use_bounds = len(points) >= BOUNDS_FROM
    assigned, upper, lower = _nearest(points, centres)
    labels = assigned
    for remaining in range(max_iters, -1, -1):
        new_ids, new_centres, labels = _step(points, ids, centres, weights, assigned)
        if remaining == 0 or _same_clustering(centres, new_centres):
            ids, centres = new_ids, new_centres
            break
        if use_bounds:
            kept = np.isin(ids, new_ids)
            shift = np.sqrt(((centres[kept] - new_centres) ** 2).sum(axis=1))
            upper = upper + shift[labels]
            lower = lower - (shift.max() if shift.size else 0.0)
            ids, centres = new_ids, new_centres
            assigned = labels
            if len(centres) > 1:
                gaps = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
                np.fill_diagonal(gaps, np.inf)
                half_gap = gaps.min(axis=1) / 2.0
            else:
                half_gap = np.full(len(centres), np.inf)
            check = upper > np.maximum(lower, half_gap[assigned])
            if check.any():
                idx = np.flatnonzero(check)
                upper[idx] = np.sqrt(((points[idx] - centres[assigned[idx]]) ** 2).sum(axis=1))
                still = idx[upper[idx] > np.maximum(lower[idx], half_gap[assigned[idx]])]
                if still.size:
                    near, first, second = _nearest(points[still], centres)
                    assigned[still] = near
                    upper[still] = first
                    lower[still] = second
        else:
            ids, centres = new_ids, new_centres
            assigned, upper, lower = _nearest(points, centres)
    return Clustering(np.asarray(ids, np.int64), np.asarray(centres), np.asarray(labels, np.int64))


def polis_kmeans(
    points: FloatArray,
    k: int,
    *,
    previous: Clustering | None = None,
    weights: FloatArray | None = None,
    max_iters: int = 20,
    n_distinct: int | None = None,
) -> Clustering:
    """k-means as Polis runs it, cold (first k distinct points) or warm (``previous``).

    ``previous.labels`` must be aligned with ``points`` (-1 for rows that were not members).
    ``max_iters`` defaults to 20, the cap Polis's group clustering really gets (§4).
    ``n_distinct`` (the number of distinct points) may be passed when already known.
    """
    points = np.asarray(points, dtype=np.float64)
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(points) == 0:
        return init_clusters(points, k)
    if previous is not None and len(previous.ids) and np.any(previous.labels >= 0):
        start = clean_start(points, previous, k, w, n_distinct)
    else:
        start = init_clusters(points, k)
    return _lloyd(points, start, w, max_iters)


def distance_matrix(points: FloatArray) -> FloatArray:
    """Euclidean distances between all pairs of (few) points."""
    return np.asarray(np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)))


def silhouette(distances: FloatArray, labels: IntArray) -> float:
    """Polis's silhouette from the points' distance matrix: the unweighted mean over points
    (base clusters) of (b - a)/max(a, b), 0 for a point alone in its group, 0 for one group."""
    n = len(labels)
    groups = np.unique(labels)
    if n == 0 or len(groups) < 2:
        return 0.0
    indicator = (labels[:, None] == groups[None, :]).astype(np.float64)
    sums = distances @ indicator
    counts = indicator.sum(axis=0)
    own = np.searchsorted(groups, labels)
    rows = np.arange(n)
    own_count = counts[own] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        a = sums[rows, own] / own_count
        means = sums / counts[None, :]
    means[rows, own] = np.inf
    b = means.min(axis=1)
    denominator = np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where((own_count > 0) & (denominator > 0), (b - a) / denominator, 0.0)
    return float(np.mean(s))


def choose_k(scores: dict[int, float]) -> int:
    """The k with the best silhouette; on a tie the larger k (Clojure's max-key keeps the last)."""
    best = max(scores.values())
    return max(k for k, score in scores.items() if score == best)
