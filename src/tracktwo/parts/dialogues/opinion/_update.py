"""One Polis math update: the map, who is clustered, base clusters, groups and the k-smoother.

This is the part of an analysis that carries state from one update to the next. Full analyses
(:func:`tracktwo.parts.dialogues.opinion.analyze`) and the replay of a vote history
(:func:`tracktwo.parts.dialogues.opinion.replay`) both go through :func:`map_and_groups`.

Between updates the state travels in two forms: :class:`OpinionState` (by participant and
statement id, JSON-safe, what callers store) and :class:`Warm` (by row and column position,
what the replay hands from one update to the next without any id lookups, since rows and
columns only ever get appended there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tracktwo.parts.dialogues.opinion._kmeans import (
    Clustering,
    choose_k,
    count_distinct,
    distance_matrix,
    polis_kmeans,
    silhouette,
)
from tracktwo.parts.dialogues.opinion._pca import (
    MapModel,
    centre_rating_matrix,
    fit_map,
    participant_scale,
    project_participants,
    statement_projection,
)
from tracktwo.parts.dialogues.opinion._settings import Settings
from tracktwo.parts.dialogues.opinion._state import ClusterSet, OpinionState
from tracktwo.parts.dialogues.opinion._votes import VoteMatrix

__all__ = [
    "MapAndGroups",
    "Warm",
    "in_conversation",
    "map_and_groups",
    "smooth_k",
    "warm_from_state",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Warm:
    """The previous update's state by position.

    ``base`` labels every participant row (-1: not clustered); each group clustering labels
    the previous base clusters, whose ids are ``base.ids``. Arrays may be shorter than the
    current rows and columns: new participants and statements come last.
    """

    components: FloatArray
    block: FloatArray | None
    base: Clustering
    groups: dict[int, Clustering]
    last_k: int | None
    last_k_count: int
    smoothed_k: int | None


@dataclass(frozen=True)
class MapAndGroups:
    """The stateful half of an analysis, everything positional (rows, columns)."""

    model: MapModel
    coordinates: FloatArray
    statement_coordinates: FloatArray
    extremity: FloatArray
    clustered_rows: IntArray
    base: Clustering
    group_clusterings: dict[int, Clustering]
    silhouettes: dict[int, float]
    k: int | None
    participant_base: IntArray
    participant_group: IntArray
    warm: Warm

    def state(self, vm: VoteMatrix, seed: int) -> OpinionState:
        """The id-based, serialisable form of this update's state."""
        mod_out = vm.mod_out
        n_columns = vm.n_voted_statements
        return OpinionState(
            statements=tuple(vm.statement_ids.tolist()),
            means=self.model.means,
            components=self.model.components,
            mod_out=mod_out,
            n_columns=n_columns,
            n_mod_out_columns=self.model.n_mod_out_columns,
            base=_cluster_set(self.base, vm.participant_ids[self.clustered_rows]),
            group_clusterings={
                k: _cluster_set(c, self.base.ids) for k, c in self.group_clusterings.items()
            },
            last_k=self.warm.last_k,
            last_k_count=self.warm.last_k_count,
            smoothed_k=self.warm.smoothed_k,
            seed=seed,
        )


def in_conversation(
    vote_counts: IntArray,
    n_statements_with_votes: int,
    already_in: BoolArray,
    *,
    min_votes: int,
    min_participants: int,
) -> BoolArray:
    """Polis's in-conversation rule (§2): sticky; at least min(7, C) votes; top up to 15.

    The top-up takes the most active participants not yet in; ties go to the earlier arrival.
    """
    threshold = min(min_votes, n_statements_with_votes)
    in_conv = already_in | (vote_counts >= threshold)
    missing = min_participants - int(in_conv.sum())
    if missing > 0:
        outside = np.flatnonzero(~in_conv)
        by_activity = outside[np.argsort(-vote_counts[outside], kind="stable")]
        in_conv = in_conv.copy()
        in_conv[by_activity[:missing]] = True
    return np.asarray(in_conv, dtype=bool)


def smooth_k(
    this_k: int, last_k: int | None, last_count: int, smoothed: int | None, buffer: int
) -> tuple[int, int, int]:
    """Polis's k-smoother (§4): adopt a new k only after it won ``buffer`` updates in a row.

    Returns the new (last_k, last_count, smoothed_k); the very first k is adopted at once.
    """
    count = last_count + 1 if last_k is not None and this_k == last_k else 1
    if count >= buffer or smoothed is None:
        smoothed = this_k
    return this_k, count, smoothed


def _labels_by_member(index: pd.Index, clusters: ClusterSet, size: int) -> IntArray:
    """Position of each cluster's members in ``index`` -> cluster position (-1 elsewhere)."""
    labels = np.full(size, -1, dtype=np.int64)
    counts = [len(members) for members in clusters.members]
    everyone = [m for members in clusters.members for m in members]
    if not everyone:
        return labels
    positions = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    found = index.get_indexer(pd.Index(everyone, dtype=object))
    keep = found >= 0
    labels[found[keep]] = positions[keep]
    return labels


def _clustering(clusters: ClusterSet, labels: IntArray) -> Clustering:
    return Clustering(
        ids=np.asarray(clusters.ids, dtype=np.int64),
        centres=np.asarray(clusters.centres, dtype=np.float64).reshape(-1, 2),
        labels=labels,
    )


def warm_from_state(state: OpinionState, vm: VoteMatrix) -> Warm:
    """Translate a stored state (by id) to positions in the current vote matrix."""
    position = pd.Index(state.statements).get_indexer(vm.statement_ids)
    components = np.zeros((2, vm.n_statements))
    known = position >= 0
    components[:, known] = state.components[:, position[known]]
    base_labels = _labels_by_member(pd.Index(vm.participant_ids), state.base, vm.n_participants)
    base = _clustering(state.base, base_labels)
    base_index = pd.Index(np.asarray(state.base.ids, dtype=np.int64))
    groups = {
        k: _clustering(clusters, _labels_by_member(base_index, clusters, len(base_index)))
        for k, clusters in state.group_clusterings.items()
    }
    return Warm(
        components=components,
        block=None,
        base=base,
        groups=groups,
        last_k=state.last_k,
        last_k_count=state.last_k_count,
        smoothed_k=state.smoothed_k,
    )


def _cluster_set(clustering: Clustering, member_names: npt.NDArray[Any]) -> ClusterSet:
    members: list[tuple[Any, ...]] = [() for _ in clustering.ids]
    if len(clustering.labels):
        order = np.argsort(clustering.labels, kind="stable")
        labels = clustering.labels[order]
        valid = labels >= 0
        order, labels = order[valid], labels[valid]
        bounds = np.searchsorted(labels, np.arange(len(clustering.ids) + 1))
        for position in range(len(clustering.ids)):
            chunk = member_names[order[bounds[position] : bounds[position + 1]]]
            members[position] = tuple(chunk.tolist())
    return ClusterSet(
        ids=tuple(int(i) for i in clustering.ids),
        centres=tuple((float(c[0]), float(c[1])) for c in clustering.centres),
        members=tuple(members),
    )


def _padded(values: npt.NDArray[Any], size: int, fill: Any) -> npt.NDArray[Any]:
    if len(values) >= size:
        return values[:size]
    return np.concatenate([values, np.full(size - len(values), fill, dtype=values.dtype)])


def _previous_groups(
    base_ids: IntArray, previous_base_ids: IntArray, groups: Clustering
) -> Clustering:
    """Group clustering of the previous base clusters, relabelled onto the current ones."""
    labels = np.full(len(base_ids), -1, dtype=np.int64)
    if len(previous_base_ids):
        where = np.searchsorted(previous_base_ids, base_ids)
        where = np.minimum(where, len(previous_base_ids) - 1)
        match = previous_base_ids[where] == base_ids
        labels[match] = groups.labels[where[match]]
    return Clustering(groups.ids, groups.centres, labels)


def map_and_groups(
    vm: VoteMatrix,
    warm: Warm | None,
    settings: Settings,
    seed: int,
) -> MapAndGroups:
    """Run the stateful part of one Polis update on the current final votes."""
    mod_out = vm.mod_out
    n_columns = vm.n_voted_statements
    n_statements = vm.n_statements
    n_mod_out_columns = int(np.count_nonzero(mod_out[:n_columns]))
    centred, means = centre_rating_matrix(vm.matrix, mod_out)
    previous_components = None
    previous_block = None
    if warm is not None:
        previous_components = np.zeros((2, n_statements))
        known = min(n_statements, warm.components.shape[1])
        previous_components[:, :known] = warm.components[:, :known]
        if warm.block is not None and warm.block.shape[0] <= n_statements:
            previous_block = np.zeros((n_statements, warm.block.shape[1]))
            previous_block[: warm.block.shape[0]] = warm.block
    model = fit_map(
        centred,
        means,
        n_columns=n_columns,
        n_mod_out_columns=n_mod_out_columns,
        previous_components=previous_components,
        seed=seed,
        max_iters=settings.pca_max_iters,
        tolerance=settings.pca_tolerance,
        previous_block=previous_block,
    )
    scale = participant_scale(vm.matrix, mod_out, n_columns)
    coordinates = project_participants(centred, model, scale)
    statement_coordinates, extremity = statement_projection(model)

    n_participants = vm.n_participants
    previous_rows = (
        _padded(warm.base.labels, n_participants, -1)
        if warm is not None
        else np.full(n_participants, -1, dtype=np.int64)
    )
    vote_counts = np.diff(vm.matrix.indptr).astype(np.int64)
    in_conv = in_conversation(
        vote_counts,
        n_columns,
        previous_rows >= 0,
        min_votes=settings.in_conv_min_votes,
        min_participants=settings.in_conv_min_participants,
    )
    clustered_rows = np.flatnonzero(in_conv).astype(np.int64)
    points = coordinates[clustered_rows]
    previous_base = None
    if warm is not None and len(warm.base.ids):
        previous_base = Clustering(warm.base.ids, warm.base.centres, previous_rows[clustered_rows])
    base = polis_kmeans(
        points, settings.base_k, previous=previous_base, max_iters=settings.base_iters
    )

    group_clusterings: dict[int, Clustering] = {}
    silhouettes: dict[int, float] = {}
    last_k = warm.last_k if warm is not None else None
    last_count = warm.last_k_count if warm is not None else 0
    smoothed = warm.smoothed_k if warm is not None else None
    k: int | None = None
    participant_base = np.full(n_participants, -1, dtype=np.int64)
    participant_group = np.full(n_participants, -1, dtype=np.int64)
    n_base = len(base.ids)
    if n_base:
        weights = base.sizes.astype(np.float64)
        distances = distance_matrix(base.centres)
        n_distinct = count_distinct(base.centres)
        max_k = min(settings.max_k, 2 + n_base // 12)
        for k_value in range(2, max_k + 1):
            previous_groups = None
            if warm is not None and k_value in warm.groups:
                previous_groups = _previous_groups(base.ids, warm.base.ids, warm.groups[k_value])
            clustering = polis_kmeans(
                base.centres,
                k_value,
                previous=previous_groups,
                weights=weights,
                max_iters=settings.group_iters,
                n_distinct=n_distinct,
            )
            group_clusterings[k_value] = clustering
            silhouettes[k_value] = silhouette(distances, clustering.labels)
        last_k, last_count, smoothed = smooth_k(
            choose_k(silhouettes), last_k, last_count, smoothed, settings.group_k_buffer
        )
        this_k = last_k
        # Polis publishes no groups when the smoothed k is no longer on offer (fewer base
        # clusters than before); we show the current best k instead of nothing.
        k = smoothed if smoothed in group_clusterings else this_k
        chosen = group_clusterings[k]
        participant_base[clustered_rows] = base.labels
        participant_group[clustered_rows] = chosen.ids[chosen.labels[base.labels]]

    next_warm = Warm(
        components=model.components,
        block=model.block,
        base=Clustering(base.ids, base.centres, participant_base.copy()),
        groups=group_clusterings,
        last_k=last_k,
        last_k_count=last_count,
        smoothed_k=smoothed,
    )
    participant_base_ids = np.where(
        participant_base >= 0, base.ids[np.maximum(participant_base, 0)] if n_base else -1, -1
    )
    return MapAndGroups(
        model=model,
        coordinates=coordinates,
        statement_coordinates=statement_coordinates,
        extremity=extremity,
        clustered_rows=clustered_rows,
        base=base,
        group_clusterings=group_clusterings,
        silhouettes=silhouettes,
        k=k,
        participant_base=participant_base_ids,
        participant_group=participant_group,
        warm=next_warm,
    )
