"""A first clustering of workshop ideas, for the facilitator to edit.

SDD groups ideas by affinity before voting (reference §1.1, step 3). The facilitator does that
by hand; a proposal from text similarity saves the first pass. It uses the same language-neutral
character n-gram similarity as the dialogues' near-duplicate check
(:mod:`tracktwo.text_similarity`), then average-linkage agglomerative clustering (scikit-learn)
cut at a distance threshold, so the number of clusters follows from the texts. The result is
deterministic: same texts, same proposal.

Character n-grams see shared words and word stems, not meaning: ideas phrased differently about
the same thing may land apart. That is why this is only a proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.text_similarity import similarity_matrix

__all__ = ["DEFAULT_CLUSTER_DISTANCE", "ProposedCluster", "propose_clusters"]

#: Average cosine distance (1 - similarity) up to which ideas are grouped. Lower gives more,
#: tighter clusters.
DEFAULT_CLUSTER_DISTANCE = 0.8


@dataclass(frozen=True)
class ProposedCluster:
    """Indices of the ideas in one proposed cluster and a suggested name.

    ``representative`` is the member most similar to the others; ``label`` is its text,
    shortened, as a starting point for the facilitator's name.
    """

    members: tuple[int, ...]
    representative: int
    label: str


def propose_clusters(
    texts: Sequence[str],
    *,
    distance_threshold: float = DEFAULT_CLUSTER_DISTANCE,
    label_length: int = 60,
) -> list[ProposedCluster]:
    """Group idea texts by similarity.

    Parameters
    ----------
    texts
        The ideas, in their display order.
    distance_threshold
        Clusters are not merged when their average cosine distance exceeds this (0 to 1).
    label_length
        Suggested names longer than this many characters are cut at a word and end in "…".

    Returns
    -------
    list of ProposedCluster
        Every idea in exactly one cluster; members ascending; clusters ordered by their first
        member.
    """
    if isinstance(texts, str) or not all(isinstance(text, str) for text in texts):
        raise InvalidInput("Ideas to cluster must be given as a list of texts.")
    if not 0 < distance_threshold <= 1:
        raise InvalidInput(
            f"The clustering distance must be above 0 and at most 1; got {distance_threshold!r}."
        )
    if label_length < 8:
        raise InvalidInput(f"Suggested names need at least 8 characters; got {label_length!r}.")
    if not texts:
        return []
    similarity = similarity_matrix(texts)
    if len(texts) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        distance = np.clip(1.0 - similarity, 0.0, 1.0)
        np.fill_diagonal(distance, 0.0)
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=distance_threshold,
        )
        labels = model.fit_predict(distance)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    clusters = []
    for members in sorted(groups.values()):
        inner = similarity[np.ix_(members, members)].sum(axis=1)
        representative = members[int(np.argmax(inner))]
        clusters.append(
            ProposedCluster(
                members=tuple(members),
                representative=representative,
                label=_shorten(texts[representative], label_length),
            )
        )
    return clusters


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"
