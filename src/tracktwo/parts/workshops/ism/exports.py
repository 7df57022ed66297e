"""Exports of an influence map: relations as CSV text, everything as a JSON-safe dict.

Pure functions returning text or plain data; the web layer chooses file names and headers.
The CSV keeps the audit trail that ISM needs to be trusted: for every relation whether the group
answered it or it was inferred, and from which answers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.safe_csv import safe_writer
from tracktwo.parts.workshops.ism.ism import CellState, IsmSession, Pair

__all__ = ["RELATIONS_COLUMNS", "map_json", "relations_csv"]

RELATIONS_COLUMNS = (
    "from",
    "to",
    "from_label",
    "to_label",
    "relation",
    "source",
    "answer_number",
    "inferred_from",
)


def relations_csv(
    session: IsmSession,
    *,
    labels: Sequence[str] | None = None,
    ids: Sequence[str | int] | None = None,
) -> str:
    """Every ordered pair of ideas, one row each, as CSV text (RFC 4180, LF line ends).

    Columns (:data:`RELATIONS_COLUMNS`): ``from``/``to`` (the ids, default the element index),
    their labels (empty without ``labels``), ``relation`` (yes / no / unknown), ``source``
    (direct / inferred / unknown), ``answer_number`` (1-based position among the direct
    answers, for direct rows) and ``inferred_from``: the direct answers that imply the relation,
    written ``a>b yes; b>c no`` with the same ids.
    """
    name = _names(session, ids)
    text = _labels(session, labels)
    answer_number = {(a.i, a.j): k for k, a in enumerate(session.answers, start=1)}
    buffer = io.StringIO()
    # Labels are participants' texts: the safe writer neutralises formula starts.
    writer = safe_writer(buffer)
    writer.writerow(RELATIONS_COLUMNS)
    for state in session.relations():
        i, j = state.cell
        writer.writerow(
            [
                name[i],
                name[j],
                text[i],
                text[j],
                _relation(state),
                state.source,
                answer_number.get((i, j), "") if state.source == "direct" else "",
                "; ".join(_answer_text(session, pair, name) for pair in state.inferred_from),
            ]
        )
    return buffer.getvalue()


def map_json(session: IsmSession, *, labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Everything about a map as plain JSON types: state, structure, relations, estimate.

    ``state`` is :meth:`IsmSession.to_dict` (enough to resume); ``structure`` is
    :meth:`Structure.to_dict` of the map so far; ``relations`` lists every ordered pair with its
    value, source and ``inferred_from``.
    """
    text = _labels(session, labels)
    remaining = session.remaining()
    return {
        "labels": text,
        "finished": session.finished,
        "remaining": {"upper_bound": remaining.upper_bound, "expected": remaining.expected},
        "state": session.to_dict(),
        "structure": session.structure().to_dict(),
        "relations": [
            {
                "from": state.cell[0],
                "to": state.cell[1],
                "relation": _relation(state),
                "source": state.source,
                "inferred_from": [list(pair) for pair in state.inferred_from],
            }
            for state in session.relations()
        ],
    }


def _relation(state: CellState) -> str:
    return "unknown" if state.value is None else "yes" if state.value else "no"


def _answer_text(session: IsmSession, pair: Pair, name: Sequence[str]) -> str:
    answer = session.cell(*pair).value
    return f"{name[pair[0]]}>{name[pair[1]]} {'yes' if answer else 'no'}"


def _names(session: IsmSession, ids: Sequence[str | int] | None) -> list[str]:
    if ids is None:
        return [str(index) for index in range(session.n)]
    if isinstance(ids, str) or len(ids) != session.n:
        raise InvalidInput(f"The export needs one id per idea ({session.n}).")
    names = [str(value) for value in ids]
    if len(set(names)) != len(names):
        raise InvalidInput("Idea ids in an export must be distinct.")
    return names


def _labels(session: IsmSession, labels: Sequence[str] | None) -> list[str]:
    if labels is None:
        return [""] * session.n
    if isinstance(labels, str) or len(labels) != session.n:
        raise InvalidInput(f"The export needs one label per idea ({session.n}).")
    return [str(label) for label in labels]
