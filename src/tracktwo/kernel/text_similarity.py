"""Similarity of short texts written by participants, in any language, without a model.

Workshops use it to propose a first clustering of ideas; dialogues use it to flag a new
statement that nearly repeats an existing one in the moderation queue. Both need the same thing:
a similarity that works for Arabic, Hebrew, Greek, Turkish, Russian or English alike, is
deterministic, and needs no downloaded model. TF-IDF over character n-grams inside word
boundaries does this (scikit-learn); texts are first normalised so that case, accents,
diacritics (Arabic harakat, Hebrew niqqud, Greek tonos) and kashida do not count as differences.

Similarities depend a little on the corpus (IDF weights), so scores from different calls are
comparable only roughly; thresholds are about the texts within one call.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from tracktwo.kernel.errors import InvalidInput

__all__ = [
    "DEFAULT_DUPLICATE_THRESHOLD",
    "find_near_duplicates",
    "normalise_text",
    "similarity_matrix",
    "vectorise",
]

#: Cosine similarity at or above which two statements are flagged as near-duplicates. Chosen on
#: the public Polis comments (shared/data/polis): pairs above it are rewordings of one point
#: (added punctuation, a changed word or two); below it, related but distinct statements.
DEFAULT_DUPLICATE_THRESHOLD = 0.8

_TATWEEL = "\u0640"


def normalise_text(text: str) -> str:
    """Fold case, strip combining marks, kashida and invisible format marks (bidi isolates,
    joiners), and collapse whitespace."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        char
        for char in decomposed
        if unicodedata.category(char) not in ("Mn", "Cf") and char != _TATWEEL
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())


def vectorise(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """L2-normalised TF-IDF vectors (dense rows) of character 2- to 4-grams.

    A text with no characters to count (empty, or only punctuation that the n-grams skip) gets
    a zero row, so it is similar to nothing.
    """
    normalised = [normalise_text(text) for text in texts]
    if not any(normalised):
        return np.zeros((len(texts), 0))
    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=False
    )
    matrix = vectoriser.fit_transform(normalised)
    return np.asarray(matrix.toarray(), dtype=np.float64)


def similarity_matrix(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Cosine similarity between every two texts (1 on the diagonal for non-empty texts)."""
    _check_texts(texts, "texts")
    if not texts:
        return np.zeros((0, 0))
    vectors = vectorise(texts)
    if vectors.shape[1] == 0:
        return np.zeros((len(texts), len(texts)))
    return np.asarray(cosine_similarity(vectors), dtype=np.float64)


def find_near_duplicates(
    new_texts: Sequence[str],
    existing_texts: Sequence[str],
    threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
) -> list[tuple[int, int, float]]:
    """Pairs (new_index, existing_index, similarity) with similarity at or above ``threshold``.

    Sorted by new index, then by decreasing similarity. To find duplicates inside one batch,
    pass the batch as both arguments and drop the pairs with equal indices.

    Parameters
    ----------
    new_texts
        The statements or ideas just submitted.
    existing_texts
        The ones already accepted.
    threshold
        Cosine similarity in (0, 1]; see :data:`DEFAULT_DUPLICATE_THRESHOLD`.
    """
    _check_texts(new_texts, "new_texts")
    _check_texts(existing_texts, "existing_texts")
    if not 0 < threshold <= 1:
        raise InvalidInput(
            f"The near-duplicate threshold must be above 0 and at most 1; got {threshold!r}."
        )
    if not new_texts or not existing_texts:
        return []
    similarity = similarity_matrix([*new_texts, *existing_texts])[
        : len(new_texts), len(new_texts) :
    ]
    found = [
        (int(i), int(j), float(similarity[i, j]))
        # A small tolerance so that identical texts (similarity 1 up to rounding) always match.
        for i, j in np.argwhere(similarity >= threshold - 1e-9)
    ]
    found.sort(key=lambda hit: (hit[0], -hit[2], hit[1]))
    return found


def _check_texts(texts: Sequence[str], name: str) -> None:
    if isinstance(texts, str) or not all(isinstance(text, str) for text in texts):
        raise InvalidInput(f"{name} must be a list of texts, not {type(texts).__name__}.")
