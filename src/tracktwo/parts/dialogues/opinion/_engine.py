"""`analyze`: from votes (and optionally sides) to the map, groups and common ground."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion._bridging import fit_bridging
from tracktwo.parts.dialogues.opinion._result import REPRESENTATIVE_FIELDS, OpinionResult
from tracktwo.parts.dialogues.opinion._settings import Settings
from tracktwo.parts.dialogues.opinion._state import OpinionState, json_id
from tracktwo.parts.dialogues.opinion._stats import (
    Tally,
    consensus_lists,
    divisiveness,
    priority,
    prop_test,
    representative_statements,
    wilson_interval,
)
from tracktwo.parts.dialogues.opinion._stats import group_aware_consensus as _group_aware_consensus
from tracktwo.parts.dialogues.opinion._update import (
    MapAndGroups,
    Warm,
    map_and_groups,
    warm_from_state,
)
from tracktwo.parts.dialogues.opinion._votes import VoteMatrix, build_vote_matrix

__all__ = ["Progress", "analyze", "analyze_matrix", "group_aware_consensus"]

Progress = Callable[[float, str], None]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _notify(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)


def _side_codes(
    sides: Mapping[Any, Any] | pd.Series | None, participant_ids: npt.NDArray[Any]
) -> tuple[IntArray, list[str], dict[str, int]]:
    """Side of each participant row as a code into the side labels (-1: undeclared).

    The labels are sorted, unless ``sides`` is a categorical Series: then they keep the
    order of its categories (a platform lists sides in the order the initiative declared
    them), including sides nobody has joined yet.
    """
    codes = np.full(len(participant_ids), -1, dtype=np.int64)
    if sides is None:
        return codes, [], {}
    if isinstance(sides, pd.DataFrame):
        raise InvalidInput("sides must map participant ids to side labels (a dict or a Series).")
    series = sides if isinstance(sides, pd.Series) else pd.Series(dict(sides), dtype=object)
    series = series[series.notna()]
    labels = series.astype(str)
    if isinstance(series.dtype, pd.CategoricalDtype):
        names = [str(category) for category in series.cat.categories]
    else:
        names = sorted(set(labels.tolist()))
    declared = {name: int((labels == name).sum()) for name in names}
    position = {name: i for i, name in enumerate(names)}
    rows = pd.Index(participant_ids).get_indexer(series.index)
    found = rows >= 0
    codes[rows[found]] = [position[name] for name in labels.to_numpy()[found]]
    return codes, names, declared


class _Entries:
    """Per-entry facts about the vote matrix that every tally needs, computed once.

    Tallies are bincounts over a combined (label, column) key: a few linear passes over the
    stored votes, with 32-bit temporaries, instead of sparse products with indicator copies.
    """

    def __init__(self, matrix: sp.csr_array) -> None:
        self.matrix = matrix
        self.agree = matrix.data > 0
        self.disagree = matrix.data < 0
        self.row_counts = np.diff(matrix.indptr)

    def per_row(self, mask: BoolArray) -> IntArray:
        """How many of each row's entries the mask selects."""
        if not len(self.row_counts):
            return np.zeros(0, dtype=np.int64)
        # reduceat needs valid start positions and sums one element for empty rows: pad the
        # mask by one element and zero the empty rows afterwards.
        padded = np.concatenate([mask, [False]])
        starts = self.matrix.indptr[:-1]
        counts = np.add.reduceat(padded, starts, dtype=np.int64)
        counts[self.row_counts == 0] = 0
        return np.asarray(counts, dtype=np.int64)

    def tally(self, row_labels: IntArray | None, n_labels: int) -> Tally:
        """Agree/disagree/seen counts per (label, statement); rows labelled -1 are left out.

        ``row_labels=None`` counts everybody under one label.
        """
        n_columns = self.matrix.shape[1]
        indices = self.matrix.indices
        if row_labels is None:
            key = indices
            buckets = 1
        else:
            buckets = n_labels + 1
            wide = buckets * n_columns >= 2**31
            labels = np.where(row_labels >= 0, row_labels, n_labels).astype(
                np.int64 if wide else np.int32
            )
            key = np.repeat(labels, self.row_counts) * n_columns + indices
        size = buckets * n_columns
        kept = 1 if row_labels is None else n_labels

        def count(selected: npt.NDArray[Any]) -> FloatArray:
            totals = np.bincount(selected, minlength=size).astype(np.float64)
            return np.asarray(totals.reshape(buckets, n_columns)[:kept])

        return Tally(
            agree=count(key[self.agree]), disagree=count(key[self.disagree]), seen=count(key)
        )


def _bridging_ratings(vm: VoteMatrix, entries: _Entries) -> sp.csr_array:
    """Agree = 1, disagree = explicit 0; passes and moderated-out statements dropped."""
    matrix = vm.matrix
    keep = (entries.agree | entries.disagree) & ~vm.mod_out[matrix.indices]
    indptr = np.concatenate([[0], np.cumsum(entries.per_row(keep))]).astype(matrix.indptr.dtype)
    ratings = sp.csr_array(matrix.shape, dtype=np.float64)
    ratings.indptr = indptr
    ratings.indices = matrix.indices[keep]
    ratings.data = entries.agree[keep].astype(np.float64)
    return ratings


def _bridging_status(
    intercept: FloatArray,
    factor: FloatArray,
    n_ratings: FloatArray,
    mod_out: BoolArray,
    s: Settings,
) -> npt.NDArray[np.object_]:
    status = np.full(len(intercept), "needs_more_ratings", dtype=object)
    enough = n_ratings >= s.bridging_min_ratings
    helpful = (
        enough
        & (intercept >= s.bridging_helpful_intercept)
        & (np.abs(factor) < s.bridging_factor_threshold)
    )
    not_helpful = enough & (
        intercept < s.bridging_not_helpful_intercept - s.bridging_not_helpful_slope * np.abs(factor)
    )
    status[helpful] = "helpful"
    status[not_helpful & ~helpful] = "not_helpful"
    status[mod_out] = "excluded"
    return status


def _id_column(ids: npt.NDArray[Any]) -> pd.Series:
    """Ids with their natural dtype again (int64 when they are all integers)."""
    return pd.Series(ids, dtype=object).infer_objects()


def _share(agree: FloatArray, seen: FloatArray) -> FloatArray:
    numerator = np.asarray(agree, dtype=np.float64)
    return np.divide(numerator, seen, out=np.zeros_like(numerator), where=seen > 0)


def analyze_matrix(
    vm: VoteMatrix,
    *,
    sides: Mapping[Any, Any] | pd.Series | None = None,
    warm: Warm | None = None,
    settings: Settings,
    seed: int = 0,
    progress: Progress | None = None,
) -> OpinionResult:
    """:func:`analyze` on an already built :class:`VoteMatrix` (used by the replay)."""
    _notify(progress, 0.15, "opinion map and groups")
    mg = map_and_groups(vm, warm, settings, seed)
    n_participants, n_statements = vm.matrix.shape
    ids = vm.statement_ids
    mod_out = vm.mod_out
    z = settings.significance_z

    _notify(progress, 0.5, "tallies, representative statements and consensus")
    entries = _Entries(vm.matrix)
    n_votes = entries.row_counts.astype(np.int64)
    n_agree = entries.per_row(entries.agree)
    n_disagree = entries.per_row(entries.disagree)
    everyone = entries.tally(None, 1)
    column_agree, column_disagree, column_seen = (
        everyone.agree[0],
        everyone.disagree[0],
        everyone.seen[0],
    )

    group_ids: IntArray = np.empty(0, dtype=np.int64)
    if mg.k is not None:
        group_ids = np.asarray(mg.group_clusterings[mg.k].ids, dtype=np.int64)
    group_position = np.searchsorted(group_ids, mg.participant_group)
    group_rows = np.where(mg.participant_group >= 0, group_position, -1)
    groups = entries.tally(group_rows, len(group_ids))

    gac, gac_disagree = _group_aware_consensus(groups)
    route = priority(groups, mg.extremity, vm.is_meta)
    spread, _ = divisiveness(groups)
    representative = representative_statements(
        groups, mod_out, z=z, limit=settings.n_representative
    )
    consensus = consensus_lists(everyone, mod_out, z=z, limit=settings.n_consensus)

    side_codes, side_names, declared = _side_codes(sides, vm.participant_ids)
    sides_given = sides is not None
    side_tally = entries.tally(side_codes, len(side_names)) if sides_given else None

    _notify(progress, 0.65, "bridging score")
    bridging_intercept = np.zeros(n_statements)
    bridging_factor = np.zeros(n_statements)
    ratings = _bridging_ratings(vm, entries)
    bridging_ratings = np.bincount(ratings.indices, minlength=n_statements).astype(np.float64)
    if settings.bridging and ratings.nnz:
        fit = fit_bridging(
            ratings,
            mg.coordinates[:, 0],
            lambda_intercept=settings.bridging_lambda_intercept,
            lambda_factor=settings.bridging_lambda_factor,
            max_iters=settings.bridging_max_iters,
            tolerance=settings.bridging_tolerance,
        )
        bridging_intercept = fit.statement_intercept
        bridging_factor = fit.statement_factor
    bridging_status = _bridging_status(
        bridging_intercept, bridging_factor, bridging_ratings, mod_out, settings
    )
    if not settings.bridging:
        bridging_status[:] = "not_computed"

    _notify(progress, 0.9, "assembling the result")
    statements = pd.DataFrame(
        {
            "statement": _id_column(ids),
            "text": vm.text,
            "moderated": vm.moderated.astype(np.int64),
            "is_meta": vm.is_meta,
            "is_seed": vm.is_seed,
            "mod_out": mod_out,
            "agree": column_agree.astype(np.int64),
            "disagree": column_disagree.astype(np.int64),
            "pass": (column_seen - column_agree - column_disagree).astype(np.int64),
            "n_votes": column_seen.astype(np.int64),
            "agree_share": _share(column_agree, column_seen),
            "x": mg.statement_coordinates[:, 0],
            "y": mg.statement_coordinates[:, 1],
            "extremity": mg.extremity,
            "priority": route,
            "p_agree": (column_agree + 1.0) / (column_seen + 2.0),
            "z_agree": prop_test(column_agree, column_seen),
            "p_disagree": (column_disagree + 1.0) / (column_seen + 2.0),
            "z_disagree": prop_test(column_disagree, column_seen),
            "group_aware_consensus": gac,
            "group_aware_consensus_disagree": gac_disagree,
            "divisiveness": spread,
            "bridging": bridging_intercept,
            "bridging_factor": bridging_factor,
            "bridging_status": bridging_status,
            "bridging_n_ratings": bridging_ratings.astype(np.int64),
        }
    )

    side_votes = None
    cross_side = None
    divisive_sides = None
    side_summary = None
    cross_share = np.zeros(n_statements)
    cross_lower = np.zeros(n_statements)
    cross_flag = np.zeros(n_statements, dtype=bool)
    if side_tally is not None:
        shares = _share(side_tally.agree, side_tally.seen)
        lower, upper = wilson_interval(
            side_tally.agree, side_tally.seen, settings.cross_side_confidence
        )
        for i, name in enumerate(side_names):
            statements[f"n[{name}]"] = side_tally.seen[i].astype(np.int64)
            statements[f"share[{name}]"] = shares[i]
            statements[f"lower[{name}]"] = lower[i]
            statements[f"upper[{name}]"] = upper[i]
        if len(side_names) >= 2:
            cross_share = shares.min(axis=0)
            cross_lower = lower.min(axis=0)
            eligible = (side_tally.seen >= settings.cross_side_min_votes).all(axis=0) & ~mod_out
            cross_flag = eligible & (cross_share >= settings.cross_side_threshold)
            ranked = np.flatnonzero(eligible)
            ranked = ranked[np.argsort(-cross_lower[ranked], kind="stable")]
            cross_side = [
                {
                    "statement": json_id(ids[c]),
                    "weakest_lower": float(cross_lower[c]),
                    "weakest_share": float(cross_share[c]),
                    "consensus": bool(cross_flag[c]),
                    "sides": [
                        {
                            "side": name,
                            "n": int(side_tally.seen[i, c]),
                            "agree_share": float(shares[i, c]),
                            "lower": float(lower[i, c]),
                            "upper": float(upper[i, c]),
                        }
                        for i, name in enumerate(side_names)
                    ],
                }
                for c in ranked
            ]
            side_spread, smoothed_side = divisiveness(side_tally)
            divisive_sides = _divisive_list(
                side_spread, smoothed_side, side_tally, mod_out, ids, side_names, "side", settings
            )
        side_votes = _long_tally(side_tally, side_names, "side", lower=lower, upper=upper)
        voted_rows = n_votes > 0
        side_summary = [
            {
                "side": name,
                "n_participants": declared[name],
                "n_voters": int(np.count_nonzero((side_codes == i) & voted_rows)),
                "n_votes": int(side_tally.seen[i].sum()),
            }
            for i, name in enumerate(side_names)
        ]
    statements["cross_side_share"] = cross_share
    statements["cross_side_lower"] = cross_lower
    statements["cross_side_consensus"] = cross_flag

    smoothed_groups = divisiveness(groups)[1]
    divisive = _divisive_list(
        spread, smoothed_groups, groups, mod_out, ids, group_ids.tolist(), "group", settings
    )
    group_votes = _long_tally(groups, group_ids.tolist(), "group")

    side_labels = np.array([None] * n_participants, dtype=object)
    if side_names:
        declared_rows = side_codes >= 0
        side_labels[declared_rows] = np.asarray(side_names, dtype=object)[side_codes[declared_rows]]
    participants = pd.DataFrame(
        {
            "participant": _id_column(vm.participant_ids),
            "x": mg.coordinates[:, 0],
            "y": mg.coordinates[:, 1],
            "n_votes": n_votes,
            "n_agree": n_agree,
            "n_disagree": n_disagree,
            "n_pass": n_votes - n_agree - n_disagree,
            "clustered": mg.participant_base >= 0,
            "base_cluster": pd.array(
                np.where(mg.participant_base >= 0, mg.participant_base, 0), dtype="Int64"
            ),
            "group": pd.array(
                np.where(mg.participant_group >= 0, mg.participant_group, 0), dtype="Int64"
            ),
            "side": side_labels,
        }
    )
    participants.loc[mg.participant_base < 0, "base_cluster"] = pd.NA
    participants.loc[mg.participant_group < 0, "group"] = pd.NA

    group_frame = _group_frame(mg, group_ids)
    rep_rows = []
    for position, selection in enumerate(representative):
        for rank, record in enumerate(selection, start=1):
            rep_rows.append(
                {"group": int(group_ids[position]), "rank": rank, **record}
                | {"statement": json_id(ids[int(record["statement"])])}  # type: ignore[call-overload]
            )
    representative_frame = pd.DataFrame(rep_rows, columns=["group", "rank", *REPRESENTATIVE_FIELDS])
    for record in consensus:
        record["statement"] = json_id(ids[int(record["statement"])])  # type: ignore[call-overload]

    summary = {
        "n_participants": n_participants,
        "n_statements": n_statements,
        "n_statements_with_votes": vm.n_voted_statements,
        "n_votes": int(vm.matrix.nnz),
        "n_input_rows": vm.n_input_rows,
        "n_superseded_votes": vm.n_superseded,
        "n_clustered": int(mg.clustered_rows.size),
        "n_base_clusters": len(mg.base.ids),
        "k": mg.k,
        "seed": seed,
    }
    _notify(progress, 1.0, "done")
    return OpinionResult(
        participants=participants,
        statements=statements,
        groups=group_frame,
        representative=representative_frame,
        group_votes=group_votes,
        side_votes=side_votes,
        consensus=consensus,
        divisive=divisive,
        divisive_sides=divisive_sides,
        cross_side=cross_side,
        sides=side_summary,
        k=mg.k,
        silhouettes=dict(mg.silhouettes),
        summary=summary,
        settings=settings.to_dict(),
        state=mg.state(vm, seed),
    )


def _group_frame(mg: MapAndGroups, group_ids: IntArray) -> pd.DataFrame:
    if mg.k is None:
        return pd.DataFrame(
            {
                "group": pd.Series([], dtype=np.int64),
                "size": pd.Series([], dtype=np.int64),
                "x": pd.Series([], dtype=np.float64),
                "y": pd.Series([], dtype=np.float64),
                "n_base_clusters": pd.Series([], dtype=np.int64),
            }
        )
    chosen = mg.group_clusterings[mg.k]
    base_sizes = mg.base.sizes
    sizes = np.bincount(chosen.labels, weights=base_sizes, minlength=len(group_ids))
    return pd.DataFrame(
        {
            "group": group_ids,
            "size": sizes.astype(np.int64),
            "x": chosen.centres[:, 0],
            "y": chosen.centres[:, 1],
            "n_base_clusters": np.bincount(chosen.labels, minlength=len(group_ids)).astype(
                np.int64
            ),
        }
    )


def _long_tally(
    tally: Tally,
    names: list[Any],
    key: str,
    *,
    lower: FloatArray | None = None,
    upper: FloatArray | None = None,
) -> pd.DataFrame:
    n_rows, n_columns = tally.agree.shape
    frame = pd.DataFrame(
        {
            "position": np.tile(np.arange(n_columns), n_rows),
            key: np.repeat(np.asarray(names, dtype=object), n_columns),
            "agree": tally.agree.ravel().astype(np.int64),
            "disagree": tally.disagree.ravel().astype(np.int64),
            "pass": tally.passed.ravel().astype(np.int64),
            "n": tally.seen.ravel().astype(np.int64),
            "agree_share": _share(tally.agree, tally.seen).ravel(),
        }
    )
    if lower is not None and upper is not None:
        frame["lower"] = lower.ravel()
        frame["upper"] = upper.ravel()
    return frame.sort_values(["position"], kind="stable").reset_index(drop=True)


def _divisive_list(
    spread: FloatArray,
    smoothed: FloatArray,
    tally: Tally,
    mod_out: BoolArray,
    ids: npt.NDArray[Any],
    names: list[Any],
    key: str,
    settings: Settings,
) -> list[dict[str, Any]]:
    if len(names) < 2:
        return []
    candidates = np.flatnonzero(~mod_out & (spread > 0))
    order = candidates[np.argsort(-spread[candidates], kind="stable")][: settings.n_divisive]
    shares = _share(tally.agree, tally.seen)
    return [
        {
            "statement": json_id(ids[c]),
            "divisiveness": float(spread[c]),
            f"{key}s": [
                {
                    key: json_id(name),
                    "agree": int(tally.agree[i, c]),
                    "disagree": int(tally.disagree[i, c]),
                    "pass": int(tally.passed[i, c]),
                    "n": int(tally.seen[i, c]),
                    "agree_share": float(shares[i, c]),
                    "smoothed_agree_share": float(smoothed[i, c]),
                }
                for i, name in enumerate(names)
            ],
        }
        for c in order
    ]


def analyze(
    votes: pd.DataFrame,
    sides: Mapping[Any, Any] | pd.Series | None = None,
    previous: OpinionState | dict[str, Any] | None = None,
    *,
    statements: pd.DataFrame | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    **settings: Any,
) -> OpinionResult:
    """Analyse a conversation: opinion map, groups, representative statements, common ground.

    Parameters
    ----------
    votes
        One row per vote: ``participant``, ``statement``, ``vote`` (-1 disagree, 0 pass,
        1 agree) and optionally ``timestamp``; the latest vote per pair wins (on equal times,
        the later row). Votes are taken to arrive in timestamp order, or row order without
        timestamps; that order, never the id labels, decides Polis's k-means start.
    sides
        Declared side per participant (dict or Series; missing or None = undeclared).
    previous
        The ``state`` of the previous analysis (or its ``to_dict()``): warm-starts the map,
        base clusters, groups and k-smoother as Polis does, so groups stay stable.
    statements
        Optional table: ``statement``, ``text``, ``moderated`` (-1/0/1), ``is_meta``,
        ``is_seed``. Statements without votes still appear in the result with zero counts.
    seed
        Seed of the PCA's starting block when there is no previous state.
    progress
        Optional ``callable(fraction, message)`` called between stages.
    **settings
        Any field of :class:`tracktwo.parts.dialogues.opinion.Settings` (e.g. ``max_k=4``).

    Returns
    -------
    OpinionResult

    Raises
    ------
    InvalidInput
        For malformed votes, statements, sides, previous state or an unknown setting.

    Notes
    -----
    Degenerate inputs give degenerate, NaN-free results rather than errors: no votes gives
    no participants and no groups; a single participant sits at the origin in one group-less
    map; all-pass votes give a map at the origin and statements with zero agree shares.
    """
    config = Settings.from_kwargs(settings)
    state = OpinionState.coerce(previous)
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise InvalidInput("seed must be an integer.")
    _notify(progress, 0.0, "reading votes")
    vm = build_vote_matrix(
        votes,
        statements,
        max_participants=config.max_participants,
        max_statements=config.max_statements,
    )
    warm = warm_from_state(state, vm) if state is not None else None
    return analyze_matrix(
        vm, sides=sides, warm=warm, settings=config, seed=int(seed), progress=progress
    )


def group_aware_consensus(
    votes: pd.DataFrame,
    groups: Mapping[Any, Any] | pd.Series,
    *,
    statements: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Polis's group-aware consensus for given groups (e.g. Polis's own, or declared sides).

    Parameters
    ----------
    votes
        As for :func:`analyze` (latest vote per pair wins).
    groups
        Participant -> group label; participants without a label are left out, as Polis
        leaves out participants it did not cluster.
    statements
        Optional statement table, so that statements without votes get a value too.

    Returns
    -------
    DataFrame with ``statement``, ``group_aware_consensus`` (product over groups of
    (A+1)/(S+2)) and ``group_aware_consensus_disagree`` (the same with disagrees).
    """
    vm = build_vote_matrix(votes, statements)
    series = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups), dtype=object)
    series = series[series.notna()]
    labels = pd.Index(sorted(set(series.tolist()), key=str))
    rows = pd.Index(vm.participant_ids).get_indexer(series.index)
    codes = np.full(vm.n_participants, -1, dtype=np.int64)
    found = rows >= 0
    codes[rows[found]] = labels.get_indexer(series.to_numpy()[found])
    tally = _Entries(vm.matrix).tally(codes, len(labels))
    agree, disagree = _group_aware_consensus(tally)
    return pd.DataFrame(
        {
            "statement": _id_column(vm.statement_ids),
            "group_aware_consensus": agree,
            "group_aware_consensus_disagree": disagree,
        }
    )
