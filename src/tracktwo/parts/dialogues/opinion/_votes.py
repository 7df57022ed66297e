"""From a table of votes to the sparse participants x statements matrix the math works on.

Ordering is the subtle part. Polis initialises its k-means with "the first k distinct points in
row order", and its rows are participants in the order their first vote arrived. So the order
of rows and columns here is *arrival order*: participants and statements are numbered by the
time of their first vote (the ``timestamp`` column, or the row position when there is none),
never by their id labels. Relabelling ids therefore changes nothing but the labels, which the
property tests check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from tracktwo.kernel.errors import InvalidInput

__all__ = ["Arrivals", "VoteMatrix", "arrival_order", "build_vote_matrix", "latest_wins_matrix"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

VOTE_COLUMNS = ("participant", "statement", "vote")


@dataclass(frozen=True)
class VoteMatrix:
    """Final votes (latest wins) as a sparse matrix plus what is known about each statement.

    Rows are participants, columns statements, both in arrival order. Columns
    ``0 .. n_voted_statements - 1`` have at least one vote; the rest are statements from the
    statement table that nobody has voted on yet. ``matrix`` stores every vote explicitly
    (a pass is a stored 0.0), so "voted" is the sparsity pattern.
    """

    participant_ids: npt.NDArray[np.object_]
    statement_ids: npt.NDArray[np.object_]
    matrix: sp.csr_array
    n_voted_statements: int
    text: npt.NDArray[np.object_]
    moderated: npt.NDArray[np.int8]
    is_meta: BoolArray
    is_seed: BoolArray
    n_input_rows: int
    n_superseded: int

    @property
    def n_participants(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_statements(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def mod_out(self) -> BoolArray:
        """Statements Polis zeroes out of the rating matrix: rejected or meta (§1)."""
        return np.asarray((self.moderated == -1) | self.is_meta, dtype=bool)


def _ids(column: pd.Series, name: str, table: str) -> npt.NDArray[np.object_]:
    if column.isna().any():
        raise InvalidInput(
            f"The {name} column of the {table} has empty cells; give every row an id."
        )
    values = column.to_numpy()
    return np.asarray(values)


def _vote_values(column: pd.Series) -> npt.NDArray[np.int8]:
    raw = column.to_numpy()
    if raw.dtype.kind in "iu":
        values = raw
        bad = (values < -1) | (values > 1)
    else:
        numeric = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isin(numeric, (-1.0, 0.0, 1.0))
        values = np.where(bad, 0.0, numeric)
    if bad.any():
        example = column.iloc[int(np.flatnonzero(bad)[0])]
        raise InvalidInput(
            f"The vote column holds {int(bad.sum())} value(s) other than -1 (disagree), 0 (pass) "
            f"and 1 (agree), for example {example!r}; fix or drop those rows."
        )
    return np.asarray(values, dtype=np.int8)


def _timestamps(column: pd.Series) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
    if pd.api.types.is_datetime64_any_dtype(column):
        if column.isna().any():
            raise InvalidInput("The timestamp column has empty cells; give every vote a time.")
        return np.asarray(column.to_numpy().astype("datetime64[ns]").astype(np.int64))
    raw = column.to_numpy()
    if raw.dtype.kind in "iu":
        return np.asarray(raw, dtype=np.int64)
    numeric = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(numeric).all():
        raise InvalidInput(
            "The timestamp column must hold numbers (milliseconds since 1970) or dates, "
            "with no empty cells."
        )
    return np.asarray(numeric, dtype=np.float64)


def _statement_table(
    statements: pd.DataFrame | None,
) -> tuple[npt.NDArray[np.object_], pd.DataFrame | None]:
    if statements is None:
        return np.empty(0, dtype=object), None
    if not isinstance(statements, pd.DataFrame):
        raise InvalidInput("statements must be a DataFrame with at least a 'statement' column.")
    if "statement" not in statements.columns:
        raise InvalidInput(
            "The statements table needs a 'statement' column with the statement ids."
        )
    ids = _ids(statements["statement"], "statement", "statements table")
    if pd.Index(ids).has_duplicates:
        raise InvalidInput(
            "The statements table lists a statement id twice; keep one row per statement."
        )
    return ids, statements


def _flag_column(table: pd.DataFrame, name: str, rows: IntArray, default: bool) -> BoolArray:
    if name not in table.columns:
        return np.full(len(rows), default, dtype=bool)
    column = table[name]
    if column.dtype == bool:
        values = column.to_numpy()
    else:
        text = column.astype("string").str.strip().str.lower()
        values = text.isin(["true", "1", "t", "yes"]).to_numpy(dtype=bool, na_value=False)
    return np.asarray(values[rows], dtype=bool)


@dataclass(frozen=True)
class Arrivals:
    """Validated votes in arrival order, with participants and statements numbered by the
    arrival of their first vote (``*_ids[code]`` gives the id back)."""

    participant_codes: IntArray
    statement_codes: IntArray
    values: npt.NDArray[np.int8]
    times: npt.NDArray[np.float64] | npt.NDArray[np.int64] | None
    participant_ids: npt.NDArray[np.object_]
    statement_ids: npt.NDArray[np.object_]


def arrival_order(votes: pd.DataFrame) -> Arrivals:
    """Validate a votes table and put it in arrival order (timestamp, then row)."""
    if not isinstance(votes, pd.DataFrame):
        raise InvalidInput("votes must be a DataFrame with columns participant, statement, vote.")
    missing = [name for name in VOTE_COLUMNS if name not in votes.columns]
    if missing:
        raise InvalidInput(
            f"The votes table has no {missing[0]!r} column; it needs participant, statement, vote "
            "(and optionally timestamp)."
        )
    participants = _ids(votes["participant"], "participant", "votes table")
    statement_col = _ids(votes["statement"], "statement", "votes table")
    values = _vote_values(votes["vote"])
    times = None
    if "timestamp" in votes.columns and len(votes):
        times = _timestamps(votes["timestamp"])
        if not bool(np.all(times[1:] >= times[:-1])):
            # Stable, so votes with the same time keep their row order (the later row wins).
            order = np.argsort(times, kind="stable")
            participants = participants[order]
            statement_col = statement_col[order]
            values = values[order]
            times = times[order]
    p_codes, p_ids = pd.factorize(participants, sort=False)
    s_codes, s_ids = pd.factorize(statement_col, sort=False)
    return Arrivals(
        participant_codes=np.asarray(p_codes, dtype=np.int64),
        statement_codes=np.asarray(s_codes, dtype=np.int64),
        values=values,
        times=times,
        participant_ids=np.asarray(p_ids, dtype=object),
        statement_ids=np.asarray(s_ids, dtype=object),
    )


def build_vote_matrix(
    votes: pd.DataFrame,
    statements: pd.DataFrame | None = None,
    *,
    max_participants: int | None = None,
    max_statements: int | None = None,
) -> VoteMatrix:
    """Validate a votes table, keep the latest vote per pair and build the sparse matrix.

    Parameters
    ----------
    votes
        Columns ``participant``, ``statement``, ``vote`` (-1, 0 or 1) and optionally
        ``timestamp``. Ids may be integers or strings.
    statements
        Optional table with a ``statement`` column and optionally ``text``, ``moderated``
        (-1, 0, 1), ``is_meta``, ``is_seed``. Statements listed here without votes become
        empty columns after the voted ones.
    max_participants, max_statements
        Polis's size caps: only the first participants and statements to arrive count.

    Raises
    ------
    InvalidInput
        On a missing column, an empty id, or a vote value outside -1/0/1.
    """
    arrivals = arrival_order(votes)
    p_codes, s_codes, values = arrivals.participant_codes, arrivals.statement_codes, arrivals.values
    p_ids, s_ids = arrivals.participant_ids, arrivals.statement_ids
    n_rows = len(values)
    if max_participants is not None or max_statements is not None:
        keep = np.ones(n_rows, dtype=bool)
        if max_participants is not None:
            keep &= p_codes < max_participants
        if max_statements is not None:
            keep &= s_codes < max_statements
        p_codes, p_index = pd.factorize(p_codes[keep], sort=False)
        s_codes, s_index = pd.factorize(s_codes[keep], sort=False)
        p_ids = p_ids[np.asarray(p_index, dtype=np.int64)]
        s_ids = s_ids[np.asarray(s_index, dtype=np.int64)]
        values = values[keep]

    n_participants = len(p_ids)
    n_voted = len(s_ids)
    matrix, n_superseded = latest_wins_matrix(p_codes, s_codes, values, n_participants, n_voted)

    table_ids, table = _statement_table(statements)
    voted_ids = np.asarray(s_ids, dtype=object)
    if table is not None and len(table_ids):
        position = pd.Index(voted_ids).get_indexer(table_ids)
        unvoted = np.flatnonzero(position < 0)
        all_ids = np.concatenate([voted_ids, np.asarray(table_ids, dtype=object)[unvoted]])
        table_row = pd.Index(table_ids).get_indexer(all_ids)
    else:
        all_ids = voted_ids
        table_row = np.full(len(all_ids), -1, dtype=np.int64)
    n_all = len(all_ids)
    if n_all > n_voted:
        matrix = sp.csr_array(
            (matrix.data, matrix.indices, matrix.indptr), shape=(n_participants, n_all)
        )

    text = np.full(n_all, "", dtype=object)
    moderated = np.zeros(n_all, dtype=np.int8)
    is_meta = np.zeros(n_all, dtype=bool)
    is_seed = np.zeros(n_all, dtype=bool)
    if table is not None:
        known = np.flatnonzero(table_row >= 0)
        rows = table_row[known]
        if "text" in table.columns:
            texts = table["text"].astype("string").fillna("").to_numpy(dtype=object)
            text[known] = texts[rows]
        if "moderated" in table.columns:
            mod = pd.to_numeric(table["moderated"], errors="coerce")
            if not mod.dropna().isin([-1, 0, 1]).all():
                raise InvalidInput(
                    "The moderated column of the statements table must hold -1 (rejected), "
                    "0 (not yet moderated) or 1 (accepted)."
                )
            moderated[known] = mod.fillna(0).to_numpy(dtype=np.int8)[rows]
        is_meta[known] = _flag_column(table, "is_meta", rows, False)
        is_seed[known] = _flag_column(table, "is_seed", rows, False)

    return VoteMatrix(
        participant_ids=np.asarray(p_ids, dtype=object),
        statement_ids=np.asarray(all_ids, dtype=object),
        matrix=matrix,
        n_voted_statements=n_voted,
        text=text,
        moderated=moderated,
        is_meta=is_meta,
        is_seed=is_seed,
        n_input_rows=n_rows,
        n_superseded=n_superseded,
    )


def latest_wins_matrix(
    p_codes: IntArray,
    s_codes: IntArray,
    values: npt.NDArray[np.int8],
    n_participants: int,
    n_statements: int,
) -> tuple[sp.csr_array, int]:
    """CSR matrix of the last vote per (participant, statement) in arrival order.

    The usual input has no re-votes, so we first build the matrix directly (scipy's
    COO-to-CSR conversion is a linear-time counting sort) and only fall back to an explicit
    de-duplication when the entry count shows that some pairs repeat. Values are shifted to
    1..3 while building so that a pass is never an implicit zero.
    """
    shape = (n_participants, n_statements)
    rows = p_codes.astype(np.int32, copy=False)
    cols = s_codes.astype(np.int32, copy=False)
    shifted = (values + 2).astype(np.int8)
    matrix = sp.coo_array((shifted, (rows, cols)), shape=shape).tocsr()
    n_superseded = 0
    if matrix.nnz != len(values):
        key = p_codes.astype(np.int64) * max(n_statements, 1) + s_codes
        _, first_in_reverse = np.unique(key[::-1], return_index=True)
        keep = np.sort(len(key) - 1 - first_in_reverse)
        n_superseded = len(values) - len(keep)
        matrix = sp.coo_array((shifted[keep], (rows[keep], cols[keep])), shape=shape).tocsr()
    matrix.sort_indices()
    data = matrix.data.astype(np.float64) - 2.0
    result = sp.csr_array((data, matrix.indices, matrix.indptr), shape=shape)
    return result, n_superseded
