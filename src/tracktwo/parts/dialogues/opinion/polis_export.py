"""Reader and writer for Polis export folders (the package's only file I/O).

A Polis export is a folder of CSV files: ``votes.csv`` (the full vote history),
``comments.csv`` (statements), ``participants-votes.csv`` (final votes in wide form with
Polis's group of each participant) and ``summary.csv`` (key,value rows). The layout is
described in ``data/polis/README.md``; both the classic layout (with a ``datetime`` column in
``comments.csv``) and the 2024 one (with ``is-meta``, ``is-seed`` and
``group-informed-consensus``) are read. The writer produces the 2024 layout.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.files import readable_file, readable_folder
from tracktwo.kernel.safe_csv import restore_cell, safe_cell, safe_writer

if TYPE_CHECKING:
    from tracktwo.parts.dialogues.opinion._result import OpinionResult

__all__ = ["PolisExport", "agreement_with_polis", "read_polis_export", "write_polis_export"]

SUMMARY_KEYS = (
    "topic",
    "url",
    "views",
    "voters",
    "voters-in-conv",
    "commenters",
    "comments",
    "groups",
    "conversation-description",
)
_ID_TEXT = re.compile(r"-?[0-9]{1,18}")
_LARGEST_ID = 2**53  # beyond this a float no longer holds every whole number
PARTICIPANT_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


@dataclass(frozen=True, eq=False)
class PolisExport:
    """The contents of a Polis export folder.

    Attributes
    ----------
    votes
        ``participant``, ``statement``, ``vote``, ``timestamp`` (every row of votes.csv).
    comments
        ``statement``, ``text``, ``moderated``, ``is_meta``, ``is_seed``, ``author``,
        ``timestamp``, ``agrees``, ``disagrees`` and, when exported,
        ``group_informed_consensus``; None when comments.csv is absent.
    participants
        ``participant``, ``group`` (nullable: blank = not clustered), ``n_comments``,
        ``n_votes``, ``n_agree``, ``n_disagree``; None when participants-votes.csv is absent.
    final_votes
        The vote cells of participants-votes.csv (participants x statements, NaN = no vote).
    summary
        The key,value rows of summary.csv.
    """

    folder: Path
    votes: pd.DataFrame
    comments: pd.DataFrame | None
    participants: pd.DataFrame | None
    final_votes: pd.DataFrame | None
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def statements(self) -> pd.DataFrame | None:
        """The statement table :func:`tracktwo.parts.dialogues.opinion.analyze` takes."""
        if self.comments is None:
            return None
        return self.comments[["statement", "text", "moderated", "is_meta", "is_seed"]]

    @property
    def groups(self) -> pd.Series | None:
        """Polis's group of each clustered participant (participant -> group id)."""
        if self.participants is None:
            return None
        clustered = self.participants[self.participants["group"].notna()]
        return pd.Series(
            clustered["group"].astype(np.int64).to_numpy(),
            index=clustered["participant"].to_numpy(),
            name="group",
        )

    @property
    def n_groups(self) -> int | None:
        """The ``groups`` entry of summary.csv, when there is one."""
        value = self.summary.get("groups")
        try:
            return int(value) if value not in (None, "") else None
        except ValueError:
            return None


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    # Messages name the file only ("votes.csv"): the folder may be a server's temporary one.
    if readable_file(path, path.name, required=False) is None:
        raise InvalidInput(f"{path.name} is missing; a Polis export folder needs it.")
    try:
        return pd.read_csv(path, encoding="utf-8", **kwargs)
    except pd.errors.EmptyDataError as error:
        raise InvalidInput(f"{path.name} is empty; export the conversation again.") from error
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path.name} is not a readable CSV file (it is not UTF-8 text)."
        ) from None
    except (pd.errors.ParserError, ValueError, OverflowError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        reason = reason.replace(str(path), path.name)[:160]
        raise InvalidInput(f"{path.name} is not a readable CSV file ({reason}).") from error


def _require(frame: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{path.name} has no {', '.join(repr(c) for c in missing)} column; "
            "is it a Polis export?"
        )


def _integers(
    frame: pd.DataFrame, path: Path, column: str, *, allow_blank: bool = False
) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & (frame[column].notna() | (not allow_blank))
    whole = values.dropna()
    # Only whole numbers an int64 holds exactly: "1e400" is infinite, 30 digits overflow.
    if bad.any() or not (np.isfinite(whole) & (whole == np.floor(whole))).all():
        raise InvalidInput(f"{path.name} has a non-integer value in its {column!r} column.")
    if (whole.abs() >= _LARGEST_ID).any():
        raise InvalidInput(f"{path.name} has a number too large in its {column!r} column.")
    return values.astype("Int64")


def _optional_integers(frame: pd.DataFrame, path: Path, column: str) -> pd.Series:
    """An integer column that older exports may lack (then all missing)."""
    if column not in frame.columns:
        return pd.Series(pd.array([pd.NA] * len(frame), dtype="Int64"), index=frame.index)
    return _integers(frame, path, column, allow_blank=True)


def _id_values(frame: pd.DataFrame, path: Path, column: str) -> pd.Series:
    """Ids as integers when they all are (as Polis writes them), otherwise as strings."""
    raw = frame[column]
    if raw.isna().any():
        raise InvalidInput(f"{path.name} has an empty cell in its {column!r} column.")
    numbers = pd.to_numeric(raw, errors="coerce")
    if (
        numbers.notna().all()
        and np.isfinite(numbers).all()
        and (numbers == np.floor(numbers)).all()
        and (numbers.abs() < _LARGEST_ID).all()
    ):
        return numbers.astype(np.int64)
    return raw.astype(str).astype(object)


def _header_id(name: str) -> int | str:
    # ASCII digits only: "²".isdigit() is true, and int("²") fails.
    return int(name) if _ID_TEXT.fullmatch(name.strip()) else name


def _flags(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    text = frame[column].astype("string").str.strip().str.lower()
    return text.isin(["true", "t", "1", "yes"]).fillna(False).astype(bool)


def _read_votes(folder: Path) -> pd.DataFrame:
    path = folder / "votes.csv"
    raw = _read_csv(path)
    _require(raw, path, ("timestamp", "comment-id", "voter-id", "vote"))
    votes = pd.DataFrame(
        {
            "participant": _id_values(raw, path, "voter-id"),
            "statement": _id_values(raw, path, "comment-id"),
            "vote": _integers(raw, path, "vote").astype(np.int64),
            "timestamp": _integers(raw, path, "timestamp").astype(np.int64),
        }
    )
    if not votes["vote"].isin([-1, 0, 1]).all():
        raise InvalidInput(f"{path.name} has vote values other than -1, 0 and 1.")
    return votes


def _read_comments(folder: Path) -> pd.DataFrame | None:
    path = folder / "comments.csv"
    if not path.exists():
        return None
    raw = _read_csv(path, keep_default_na=False, na_values=[""])
    _require(raw, path, ("comment-id", "comment-body"))
    comments = pd.DataFrame(
        {
            "statement": _id_values(raw, path, "comment-id"),
            "text": raw["comment-body"]
            .astype("string")
            .fillna("")
            .astype(object)
            .map(restore_cell),
            "moderated": _integers(raw, path, "moderated", allow_blank=True)
            .fillna(0)
            .astype(np.int64)
            if "moderated" in raw.columns
            else 0,
            "is_meta": _flags(raw, "is-meta"),
            "is_seed": _flags(raw, "is-seed"),
            "author": _optional_integers(raw, path, "author-id"),
            "timestamp": _optional_integers(raw, path, "timestamp"),
            "agrees": _optional_integers(raw, path, "agrees"),
            "disagrees": _optional_integers(raw, path, "disagrees"),
        }
    )
    if not comments["moderated"].isin([-1, 0, 1]).all():
        raise InvalidInput(f"{path.name} has 'moderated' values other than -1, 0 and 1.")
    if "group-informed-consensus" in raw.columns:
        comments["group_informed_consensus"] = pd.to_numeric(
            raw["group-informed-consensus"], errors="coerce"
        )
    return comments


def _read_participants(folder: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    path = folder / "participants-votes.csv"
    if not path.exists():
        return None, None
    raw = _read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, path, PARTICIPANT_COLUMNS)
    raw = raw.replace("", pd.NA)
    participants = pd.DataFrame(
        {
            "participant": _id_values(raw, path, "participant"),
            "group": _integers(raw, path, "group-id", allow_blank=True),
            "n_comments": _integers(raw, path, "n-comments", allow_blank=True),
            "n_votes": _integers(raw, path, "n-votes", allow_blank=True),
            "n_agree": _integers(raw, path, "n-agree", allow_blank=True),
            "n_disagree": _integers(raw, path, "n-disagree", allow_blank=True),
        }
    )
    statement_columns = [c for c in raw.columns if c not in PARTICIPANT_COLUMNS and c != "xid"]
    statement_ids = [_header_id(c) for c in statement_columns]
    cells = raw[statement_columns].apply(pd.to_numeric, errors="coerce")
    written = raw[statement_columns].notna()
    if (written & cells.isna()).to_numpy().any() or not cells.isin([-1, 0, 1, np.nan]).all().all():
        raise InvalidInput(f"{path.name} has vote cells other than -1, 0, 1 or blank.")
    final = pd.DataFrame(
        cells.to_numpy(dtype=np.float64),
        index=participants["participant"].to_numpy(),
        columns=statement_ids,
    )
    return participants, final


def _read_summary(folder: Path) -> dict[str, str]:
    path = folder / "summary.csv"
    if readable_file(path, path.name, required=False) is None:
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(f"{path.name} is not a readable CSV file ({error}).") from error
    summary: dict[str, str] = {}
    for row in rows:
        if not row:
            continue
        if len(row) > 2:
            raise InvalidInput(
                f"{path.name} must hold key,value rows; found {len(row)} cells in a row."
            )
        summary[row[0]] = restore_cell(row[1]) if len(row) == 2 else ""
    return summary


def read_polis_export(folder: str | Path) -> PolisExport:
    """Read a Polis export folder.

    ``votes.csv`` is required; ``comments.csv``, ``participants-votes.csv`` and
    ``summary.csv`` are read when present.

    Raises
    ------
    InvalidInput
        When the folder or votes.csv is missing, or a file is malformed; the message names
        the file and the problem in one sentence.
    """
    path = readable_folder(Path(folder), str(folder))
    votes = _read_votes(path)
    comments = _read_comments(path)
    participants, final_votes = _read_participants(path)
    return PolisExport(
        folder=path,
        votes=votes,
        comments=comments,
        participants=participants,
        final_votes=final_votes,
        summary=_read_summary(path),
    )


def _polis_datetime(milliseconds: int) -> str:
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    return moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def _text_ids(values: Any) -> list[str]:
    return [str(v) for v in values]


def write_polis_export(
    folder: str | Path,
    votes: pd.DataFrame,
    statements: pd.DataFrame | None = None,
    result: OpinionResult | None = None,
    *,
    summary: Mapping[str, Any] | None = None,
) -> Path:
    """Write votes (and optionally statements and an analysis) as a Polis export folder.

    Parameters
    ----------
    folder
        Created if needed; existing export files in it are replaced.
    votes
        ``participant``, ``statement``, ``vote`` and ``timestamp`` (milliseconds; row order
        is used as time when absent). Every row is written to votes.csv, as Polis does.
    statements
        Optional: ``statement``, ``text``, ``moderated``, ``is_meta``, ``is_seed``,
        ``author``, ``timestamp``.
    result
        Optional analysis of these votes: supplies ``group-id`` and
        ``group-informed-consensus``.
    summary
        Optional summary.csv values (topic, url, views, conversation-description ...);
        counts are filled in from the data.

    Returns
    -------
    The folder path.
    """
    from tracktwo.parts.dialogues.opinion._votes import build_vote_matrix

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    frame = votes.copy()
    if "timestamp" not in frame.columns:
        frame["timestamp"] = np.arange(len(frame), dtype=np.int64)
    vm = build_vote_matrix(frame, statements)
    times = pd.to_numeric(frame["timestamp"]).astype(np.int64)
    pd.DataFrame(
        {
            "timestamp": times,
            "datetime": [_polis_datetime(int(t)) for t in times],
            "comment-id": frame["statement"].to_numpy(),
            "voter-id": frame["participant"].to_numpy(),
            "vote": pd.to_numeric(frame["vote"]).astype(np.int64),
        }
    ).to_csv(target / "votes.csv", index=False, lineterminator="\n")

    table = statements if statements is not None else pd.DataFrame({"statement": vm.statement_ids})
    every_row = pd.DataFrame(
        {
            "statement": frame["statement"].to_numpy(),
            "vote": pd.to_numeric(frame["vote"]).to_numpy(),
        }
    )
    agrees = every_row[every_row["vote"] == 1].groupby("statement").size()
    disagrees = every_row[every_row["vote"] == -1].groupby("statement").size()
    gac: dict[Any, float] = {}
    if result is not None:
        gac = dict(
            zip(
                result.statements["statement"].tolist(),
                result.statements["group_aware_consensus"].tolist(),
                strict=True,
            )
        )
    first_vote = frame.groupby("statement")["timestamp"].min()

    def column(name: str, default: Any) -> list[Any]:
        return table[name].tolist() if name in table.columns else [default] * len(table)

    ids = table["statement"].tolist()
    comment_times = column("timestamp", None)
    pd.DataFrame(
        {
            "timestamp": [
                int(t) if t is not None and not pd.isna(t) else int(first_vote.get(s, 0))
                for s, t in zip(ids, comment_times, strict=True)
            ],
            "comment-id": ids,
            "author-id": column("author", ""),
            "agrees": [int(agrees.get(s, 0)) for s in ids],
            "disagrees": [int(disagrees.get(s, 0)) for s in ids],
            "moderated": [int(m) for m in column("moderated", 0)],
            "is-meta": ["true" if bool(v) else "false" for v in column("is_meta", False)],
            "is-seed": ["true" if bool(v) else "false" for v in column("is_seed", False)],
            "group-informed-consensus": [repr(float(gac[s])) if s in gac else "" for s in ids],
            # Participants' words: spreadsheet-safe (reversed by the reader).
            "comment-body": [safe_cell(str(text)) for text in column("text", "")],
        }
    ).to_csv(target / "comments.csv", index=False, lineterminator="\n")

    matrix = vm.matrix.tocsr()
    voted = vm.n_voted_statements
    group_of: dict[Any, Any] = {}
    if result is not None:
        clustered = result.participants[result.participants["group"].notna()]
        group_of = dict(
            zip(clustered["participant"].tolist(), clustered["group"].tolist(), strict=True)
        )
    authored: dict[Any, int] = {}
    for author in column("author", None):
        if author is not None and not pd.isna(author):
            authored[author] = authored.get(author, 0) + 1
    header = ["participant", "xid", *PARTICIPANT_COLUMNS[1:], *_text_ids(vm.statement_ids[:voted])]
    with (target / "participants-votes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = safe_writer(handle)
        writer.writerow(header)
        for row, participant in enumerate(vm.participant_ids):
            start, stop = matrix.indptr[row], matrix.indptr[row + 1]
            cells = [""] * voted
            for column_index, value in zip(
                matrix.indices[start:stop], matrix.data[start:stop], strict=True
            ):
                cells[column_index] = str(int(value))
            values = matrix.data[start:stop]
            group = group_of.get(participant)
            writer.writerow(
                [
                    participant,
                    "",
                    "" if group is None else int(group),
                    authored.get(participant, 0),
                    stop - start,
                    int(np.count_nonzero(values > 0)),
                    int(np.count_nonzero(values < 0)),
                    *cells,
                ]
            )

    given = dict(summary or {})
    n_groups = len(result.groups) if result is not None else given.get("groups", 0)
    values = {
        "topic": given.get("topic", ""),
        "url": given.get("url", ""),
        "views": given.get("views", vm.n_participants),
        "voters": vm.n_participants,
        "voters-in-conv": vm.n_participants,
        "commenters": len(authored),
        "comments": voted,
        "groups": n_groups,
        "conversation-description": given.get("conversation-description", ""),
    }
    with (target / "summary.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = safe_writer(handle)
        for key in SUMMARY_KEYS:
            writer.writerow([key, values[key]])
    return target


def agreement_with_polis(export: PolisExport, result: OpinionResult) -> dict[str, Any]:
    """How far an analysis agrees with the groups in a Polis export.

    Returns the adjusted Rand index between Polis's ``group-id`` and our groups over the
    participants both cluster, the two group counts (ours, and Polis's from summary.csv or
    else from ``group-id``) and the numbers of clustered participants.
    """
    from sklearn.metrics import adjusted_rand_score

    polis = export.groups
    if polis is None:
        raise InvalidInput(f"{export.folder} has no participants-votes.csv to compare with.")
    ours = result.participants.set_index("participant")["group"].dropna()
    common = polis.index.intersection(ours.index)
    ari = (
        float(adjusted_rand_score(polis.loc[common].to_numpy(), ours.loc[common].astype(int)))
        if len(common)
        else 0.0
    )
    return {
        "ari": ari,
        "groups": len(result.groups),
        "polis_groups": export.n_groups if export.n_groups is not None else int(polis.nunique()),
        "clustered": len(ours),
        "polis_clustered": len(polis),
        "compared": len(common),
    }
