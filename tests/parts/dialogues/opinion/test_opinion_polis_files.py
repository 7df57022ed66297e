"""Reading and writing Polis export folders, checked against the exported columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.opinion import (
    analyze,
    group_aware_consensus,
    read_polis_export,
    write_polis_export,
)
from tracktwo.parts.dialogues.opinion._votes import build_vote_matrix

from .conftest import CONVERSATIONS


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_latest_vote_wins_reproduces_participants_votes(polis_export, name: str) -> None:
    export = polis_export(name)
    vm = build_vote_matrix(export.votes)
    matrix = vm.matrix
    cells = np.full(matrix.shape, np.nan)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    cells[rows, matrix.indices] = matrix.data
    ours = pd.DataFrame(cells, index=vm.participant_ids, columns=vm.statement_ids)
    exported = export.final_votes
    assert exported is not None
    assert set(ours.columns) == set(exported.columns)
    ours = ours.reindex(index=exported.index, columns=exported.columns)
    same = (ours == exported) | (ours.isna() & exported.isna())
    assert bool(same.to_numpy().all())
    assert int(exported.notna().to_numpy().sum()) == matrix.nnz


def test_group_aware_consensus_reproduces_bg2050(polis_export) -> None:
    export = polis_export("bg2050-volunteers")
    ours = group_aware_consensus(export.votes, export.groups, statements=export.statements)
    merged = ours.merge(export.comments[["statement", "group_informed_consensus"]], on="statement")
    assert len(merged) == 371
    difference = (merged["group_aware_consensus"] - merged["group_informed_consensus"]).abs()
    assert float(difference.max()) <= 1e-9
    # the sign convention matters: counting disagrees as agrees is far off
    wrong = (merged["group_aware_consensus_disagree"] - merged["group_informed_consensus"]).abs()
    assert float(wrong.max()) > 0.5


def test_reads_both_export_layouts(polis_export) -> None:
    classic = polis_export("brexit-consensus")
    modern = polis_export("bg2050-volunteers")
    assert classic.comments is not None and modern.comments is not None
    assert "group_informed_consensus" not in classic.comments.columns
    assert modern.comments["is_meta"].sum() == 1
    assert classic.n_groups == 2 and modern.n_groups == 2
    assert classic.summary["topic"] == "Can there be consensus on Brexit?"
    groups = modern.groups
    assert groups is not None and len(groups) == 108


def test_write_then_read_round_trip(tmp_path: Path, polis_export) -> None:
    export = polis_export("london.youth.policing")
    result = analyze(export.votes, statements=export.statements)
    folder = write_polis_export(
        tmp_path / "export",
        export.votes,
        export.comments,
        result,
        summary={"topic": export.summary["topic"], "url": export.summary["url"]},
    )
    again = read_polis_export(folder)
    pd.testing.assert_frame_equal(
        again.votes.reset_index(drop=True), export.votes.reset_index(drop=True), check_dtype=False
    )
    assert again.final_votes is not None and export.final_votes is not None
    pd.testing.assert_frame_equal(
        again.final_votes.sort_index().sort_index(axis=1),
        export.final_votes.sort_index().sort_index(axis=1),
        check_names=False,
    )
    assert again.comments is not None and export.comments is not None
    assert again.comments["text"].tolist() == export.comments["text"].tolist()
    assert again.comments["moderated"].tolist() == export.comments["moderated"].tolist()
    # comments.csv counts every vote row, as Polis does
    assert again.comments["agrees"].tolist() == export.comments["agrees"].tolist()
    assert again.summary["topic"] == export.summary["topic"]
    assert int(again.summary["groups"]) == len(result.groups)
    written_groups = again.groups
    assert written_groups is not None
    ours = result.participants.dropna(subset=["group"]).set_index("participant")["group"]
    assert written_groups.sort_index().tolist() == ours.sort_index().astype(int).tolist()
    written_gac = again.comments.set_index("statement")["group_informed_consensus"]
    expected = result.statements.set_index("statement")["group_aware_consensus"]
    assert np.allclose(written_gac.loc[expected.index], expected, rtol=0, atol=1e-15)
    # and the written folder analyses to the same result
    second = analyze(again.votes, statements=again.statements)
    assert second.to_json() == result.to_json()


def _copy(polis_root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "conv"
    target.mkdir()
    for name in ("votes.csv", "comments.csv", "participants-votes.csv", "summary.csv"):
        (target / name).write_bytes((polis_root / "london.youth.policing" / name).read_bytes())
    return target


@pytest.mark.parametrize(
    ("file", "content", "fragment"),
    [
        ("votes.csv", None, "votes.csv is missing"),
        ("votes.csv", "", "votes.csv is empty"),
        ("votes.csv", "timestamp,comment-id,voter-id\n1,2,3\n", "no 'vote' column"),
        ("votes.csv", "timestamp,comment-id,voter-id,vote\n1,2,3,5\n", "other than -1, 0 and 1"),
        ("votes.csv", "timestamp,comment-id,voter-id,vote\nx,2,3,1\n", "non-integer value"),
        ("votes.csv", b"\xff\xfe\x00bad", "votes.csv is not a readable CSV file"),
        ("comments.csv", "comment-id,moderated\n1,1\n", "no 'comment-body' column"),
        ("comments.csv", "comment-id,moderated,comment-body\n1,7,hi\n", "'moderated' values"),
        ("participants-votes.csv", "participant,group-id\n1,0\n", "participants-votes.csv has no"),
        ("summary.csv", "topic,a,b\n", "key,value rows"),
    ],
)
def test_malformed_files_name_the_file(
    polis_root: Path, tmp_path: Path, file: str, content: str | bytes | None, fragment: str
) -> None:
    folder = _copy(polis_root, tmp_path)
    if content is None:
        (folder / file).unlink()
    elif isinstance(content, bytes):
        (folder / file).write_bytes(content)
    else:
        (folder / file).write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        read_polis_export(folder)
    message = str(error.value)
    assert fragment in message
    assert file in message
    assert "\n" not in message


def test_missing_folder_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a folder"):
        read_polis_export(tmp_path / "nowhere")
