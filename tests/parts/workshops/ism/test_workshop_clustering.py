"""Proposed clusters of ideas and near-duplicate detection (tracktwo.kernel.text_similarity)."""

from __future__ import annotations

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.text_similarity import (
    find_near_duplicates,
    normalise_text,
    similarity_matrix,
)
from tracktwo.parts.workshops.ism.clustering import propose_clusters

IDEAS = [
    "Biased history textbooks in schools",
    "Checkpoints make crossing difficult",
    "History textbooks in schools are biased",
    "Crossing at the checkpoints is difficult",
    "Politicians use fear for electoral gain",
]


def test_rewordings_of_the_same_idea_are_proposed_together() -> None:
    clusters = propose_clusters(IDEAS)
    assert [c.members for c in clusters] == [(0, 2), (1, 3), (4,)]
    assert clusters[0].representative in (0, 2)
    assert clusters[0].label == IDEAS[clusters[0].representative]


def test_clustering_is_deterministic_and_a_partition() -> None:
    texts = IDEAS * 3 + ["", "   ", "Ελλάδα", "Türkiye", "Κύπρος", "Kıbrıs"]
    first = propose_clusters(texts)
    assert propose_clusters(list(texts)) == first
    members = sorted(m for c in first for m in c.members)
    assert members == list(range(len(texts)))
    for cluster in first:
        assert list(cluster.members) == sorted(cluster.members)
    assert [c.members[0] for c in first] == sorted(c.members[0] for c in first)
    # Empty texts are similar to nothing, so each stands alone.
    assert (15,) in [c.members for c in first] and (16,) in [c.members for c in first]


def test_threshold_controls_granularity() -> None:
    tight = propose_clusters(IDEAS, distance_threshold=0.05)
    loose = propose_clusters(IDEAS, distance_threshold=1.0)
    assert len(tight) == len(IDEAS)
    assert len(loose) == 1
    with pytest.raises(InvalidInput, match="clustering distance"):
        propose_clusters(IDEAS, distance_threshold=0)


def test_small_inputs_and_long_labels() -> None:
    assert propose_clusters([]) == []
    (only,) = propose_clusters(["word " * 40])
    assert only.members == (0,)
    assert only.label.endswith("…") and len(only.label) <= 60
    with pytest.raises(InvalidInput, match="list of texts"):
        propose_clusters("one idea")


def test_normalisation_ignores_case_accents_and_diacritics() -> None:
    # Casefolding also maps the final sigma to σ, so upper and lower case forms meet.
    assert normalise_text("  Έλλειψη   ΕΜΠΙΣΤΟΣΎΝΗΣ ") == normalise_text("έλλειψη εμπιστοσύνης")
    assert normalise_text("Έλλειψη") == "ελλειψη"
    assert normalise_text("السَّلَامُ عَلَيْكُمْ") == normalise_text("السلام عليكم")
    assert normalise_text("شـــكرا") == normalise_text("شكرا")  # kashida
    assert normalise_text("שָׁלוֹם") == "שלום"  # niqqud


def test_near_duplicates_across_scripts() -> None:
    existing = [
        "We need more schools where children from both sides learn together",
        "السلام عليكم ورحمة الله",
        "Checkpoints make crossing difficult",
    ]
    new = [
        "we need more schools where children from both sides learn together!",
        "السَّلَامُ عَلَيْكُمْ وَرَحْمَةُ اللهِ",
        "Politicians use fear for electoral gain",
    ]
    hits = find_near_duplicates(new, existing)
    assert [(i, j) for i, j, _ in hits] == [(0, 0), (1, 1)]
    assert all(similarity > 0.95 for _, _, similarity in hits)


def test_near_duplicates_threshold_and_order() -> None:
    existing = ["the buffer zone should open", "open the buffer zone", "something else entirely"]
    hits = find_near_duplicates(["the buffer zone should open"], existing, threshold=0.3)
    assert [j for _, j, _ in hits] == [0, 1]
    assert hits[0][2] == pytest.approx(1.0)
    assert hits[0][2] >= hits[1][2]
    assert find_near_duplicates(["a"], [], threshold=0.5) == []
    assert find_near_duplicates([], ["a"]) == []
    with pytest.raises(InvalidInput, match="threshold"):
        find_near_duplicates(["a"], ["a"], threshold=1.5)
    with pytest.raises(InvalidInput, match="list of texts"):
        find_near_duplicates("abc", ["a"])


def test_similarity_matrix_is_symmetric_with_unit_diagonal() -> None:
    matrix = similarity_matrix(IDEAS)
    assert matrix.shape == (5, 5)
    assert (abs(matrix - matrix.T) < 1e-12).all()
    assert matrix.diagonal() == pytest.approx([1.0] * 5)
    assert similarity_matrix(["", ""]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
