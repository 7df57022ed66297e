"""Interpretive Structural Modeling (ISM): elicit an influence map from pairwise questions.

The group is asked, for ordered pairs of ideas, "does progress on i significantly help progress
on j?". ISM assumes the relation is reflexive and transitive (cycles allowed), so every answer
fixes a block of other cells (reference §2.2), and most of the n(n-1) questions never need to be
asked. This module is the pure engine behind the workshop's influence-mapping step:

* :func:`structure` runs the whole elicitation against a callable (tests, simulations, notebooks);
* :class:`IsmSession` is the same engine as a resumable, JSON-serialisable state for the web flow
  (question out, answer in, one database row);
* :class:`Structure` is the result: reachability matrix, levels, cycles, skeleton and MICMAC.

Inference is *complete*, not just the two block rules of the reference: after every answer the
known "yes" cells are the transitive closure of the direct yes answers, and the known "no" cells
are every (a, b) with a direct no (c, d) such that c reaches a and b reaches d. A cell that is
still unknown can therefore take either value without contradicting anything, which is why the
engine never asks an implied question and why an answer to the *current* question can never
contradict earlier ones. Contradictions arise only when the facilitator disputes an inferred
relation (an out-of-turn answer) or revises an earlier answer; they are reported, never applied.

No I/O; numpy for the matrices, networkx for the transitive reduction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import networkx as nx
import numpy as np
import numpy.typing as npt

from tracktwo.kernel.errors import InvalidInput

__all__ = [
    "MAX_ELEMENTS",
    "STRATEGIES",
    "AnswerOutcome",
    "CellChange",
    "CellState",
    "Clash",
    "Contradiction",
    "DirectAnswer",
    "IsmSession",
    "Pair",
    "Quadrant",
    "RemainingEstimate",
    "Revision",
    "Structure",
    "structure",
    "structure_from_relation",
    "structure_from_ssim",
]

Pair = tuple[int, int]
Quadrant = Literal["autonomous", "dependent", "linkage", "driver"]

#: A map with more ideas than this is not a workshop any more (40,000 questions); the limit also
#: keeps a stored state row small.
MAX_ELEMENTS = 200

#: How the next question is chosen (see :meth:`IsmSession.start`); docs/workshops.md compares them.
STRATEGIES = ("adaptive", "greedy", "pivot", "rowmajor")

# Above this share of yes among the known relations the map looks dense and row-by-row
# questioning wins; below it the expected-block greedy choice wins (docs/workshops.md).
_DENSE_SHARE = 0.2
# Later questions fix fewer cells each than early ones; calibrated in simulation (see remaining).
_LATE_QUESTION_FACTOR = 1.4

_STATE_FORMAT = "tracktwo.ism/1"
_INTEGERS = (int, np.integer)
_BOOLEANS = (bool, np.bool_)
_UNKNOWN, _NO, _YES = -1, 0, 1
_CELL_CHARS = {_UNKNOWN: "?", _NO: "0", _YES: "1"}
_CHAR_CELLS = {char: value for value, char in _CELL_CHARS.items()}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


class DirectAnswer(NamedTuple):
    """One answer the group gave (``out_of_turn``: the facilitator entered it explicitly)."""

    i: int
    j: int
    yes: bool
    out_of_turn: bool = False


class Revision(NamedTuple):
    """An earlier direct answer that was changed (``after`` is None when it was withdrawn)."""

    i: int
    j: int
    before: bool
    after: bool | None


@dataclass(frozen=True)
class Clash:
    """One cell on which an answer disagrees with what earlier answers already fix.

    ``known_because`` is the chain of earlier direct answers that fixed the cell (the cell itself
    when it was answered directly); ``new_because`` is the chain through the new answer that
    would give the cell the opposite value.
    """

    cell: Pair
    known: bool
    known_because: tuple[Pair, ...]
    new_because: tuple[Pair, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": list(self.cell),
            "known": self.known,
            "known_because": [list(pair) for pair in self.known_because],
            "new_because": [list(pair) for pair in self.new_because],
        }


@dataclass(frozen=True)
class Contradiction:
    """An answer that was *not* applied because it clashes with earlier answers.

    ``revisit`` lists the direct answers behind the clashes (earliest first), i.e. the pairs to
    put back to the group: revise one of them with :meth:`IsmSession.revise`, or withdraw it
    with :meth:`IsmSession.withdraw` so that it becomes the next question.
    """

    pair: Pair
    yes: bool
    clashes: tuple[Clash, ...]
    revisit: tuple[Pair, ...]

    @property
    def message(self) -> str:
        first = self.clashes[0]
        word = "yes" if self.yes else "no"
        known = "helps" if first.known else "does not help"
        return (
            f"Answering {word} to {self.pair} contradicts earlier answers: they fix that "
            f"{first.cell[0]} {known} {first.cell[1]}; revisit one of {list(self.revisit)} "
            "before changing this answer."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair": list(self.pair),
            "yes": self.yes,
            "clashes": [clash.to_dict() for clash in self.clashes],
            "revisit": [list(pair) for pair in self.revisit],
            "message": self.message,
        }


@dataclass(frozen=True)
class CellChange:
    """A cell whose value changed (None = unknown); ``inferred_from`` is empty for direct cells."""

    cell: Pair
    before: bool | None
    after: bool | None
    inferred_from: tuple[Pair, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": list(self.cell),
            "before": self.before,
            "after": self.after,
            "inferred_from": [list(pair) for pair in self.inferred_from],
        }


@dataclass(frozen=True)
class AnswerOutcome:
    """What an answer, revision or withdrawal did.

    ``applied`` is False exactly when ``contradiction`` is set; the state is then unchanged.
    ``changes`` lists every cell whose value changed, the answered cell included.
    """

    applied: bool
    pair: Pair
    yes: bool | None
    changes: tuple[CellChange, ...]
    contradiction: Contradiction | None
    finished: bool

    @property
    def inferred(self) -> tuple[CellChange, ...]:
        """The changed cells other than the answered one."""
        return tuple(change for change in self.changes if change.cell != self.pair)

    def to_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "pair": list(self.pair),
            "yes": self.yes,
            "changes": [change.to_dict() for change in self.changes],
            "contradiction": None if self.contradiction is None else self.contradiction.to_dict(),
            "finished": self.finished,
        }


@dataclass(frozen=True)
class CellState:
    """One relation: its value (None = unknown), how it became known, and from which answers."""

    cell: Pair
    value: bool | None
    source: Literal["direct", "inferred", "unknown"]
    inferred_from: tuple[Pair, ...]


class RemainingEstimate(NamedTuple):
    """Questions still to come: a hard ``upper_bound`` and a rough ``expected`` count."""

    upper_bound: int
    expected: int


# --------------------------------------------------------------------------------------------
# The knowledge matrix with complete inference
# --------------------------------------------------------------------------------------------


class _Knowledge:
    """Cells known so far, the direct answers behind them, and an explanation for each cell.

    Invariants after every successful :meth:`apply`: the yes cells are the reflexive transitive
    closure of the direct yes answers; the no cells are all (a, b) such that some direct no
    (c, d) has c ->* a and b ->* d; no cell is both. Together these make every unknown cell free.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.value = np.full((n, n), _UNKNOWN, dtype=np.int8)
        np.fill_diagonal(self.value, _YES)
        self.direct_no = np.zeros((n, n), dtype=bool)
        self.direct: dict[Pair, bool] = {}
        self.explain: dict[Pair, tuple[Pair, ...]] = {}
        # Length of each known cell's chain, used to pick the shortest witness for a new no.
        self.chain_length = np.zeros((n, n), dtype=np.int64)

    def chain(self, a: int, b: int) -> tuple[Pair, ...]:
        """The direct answers that fix cell (a, b), in reading order of the argument."""
        if a == b:
            return ()
        if (a, b) in self.direct:
            return ((a, b),)
        return self.explain[(a, b)]

    def _reach(self) -> npt.NDArray[np.bool_]:
        return np.equal(self.value, _YES)

    def block(self, i: int, j: int, yes: bool) -> npt.NDArray[np.bool_]:
        """The cells an answer fixes directly (reference §2.2)."""
        reach = self._reach()
        if yes:
            # a ->* i -> j ->* b
            return np.outer(reach[:, i], reach[j, :])
        # i ->* a and b ->* j: a -> b would give i -> j
        return np.outer(reach[i, :], reach[:, j])

    def new_chain(self, i: int, j: int, yes: bool, a: int, b: int) -> tuple[Pair, ...]:
        if yes:
            return _join(self.chain(a, i), ((i, j),), self.chain(j, b))
        return _join(self.chain(i, a), ((i, j),), self.chain(b, j))

    def clashes(self, i: int, j: int, yes: bool) -> tuple[Clash, ...]:
        """Cells the answer would overwrite. Checking the block suffices (see class docstring)."""
        opposite = _NO if yes else _YES
        clashing = self.block(i, j, yes) & (self.value == opposite)
        # A no block can cover the diagonal, but then it covers (i, j) too: report that one.
        np.fill_diagonal(clashing, False)
        cells = np.argwhere(clashing)
        found = [
            Clash(
                cell=(int(a), int(b)),
                known=not yes,
                known_because=self.chain(int(a), int(b)),
                new_because=self.new_chain(i, j, yes, int(a), int(b)),
            )
            for a, b in cells
        ]
        # The answered cell itself first (the clearest story), then the shortest chains.
        found.sort(key=lambda clash: (clash.cell != (i, j), len(clash.known_because), clash.cell))
        return tuple(found)

    def apply(self, i: int, j: int, yes: bool) -> list[Pair]:
        """Record a direct answer that has no clashes; return the cells that became known."""
        was_known = self.value[i, j] != _UNKNOWN
        self.direct[(i, j)] = yes
        self.explain.pop((i, j), None)
        self.chain_length[i, j] = 1
        if not yes:
            self.direct_no[i, j] = True
        if was_known:
            # A confirmation of an inferred cell: nothing new follows from it.
            return []
        new_cells: list[Pair] = []
        fresh = self.block(i, j, yes) & (self.value == _UNKNOWN)
        for a, b in np.argwhere(fresh):
            self._set(int(a), int(b), _YES if yes else _NO, self.new_chain(i, j, yes, a, b))
            new_cells.append((int(a), int(b)))
        if yes:
            new_cells.extend(self._close_noes())
        return new_cells

    def _set(self, a: int, b: int, value: int, because: tuple[Pair, ...]) -> None:
        self.value[a, b] = value
        if (a, b) not in self.direct:
            self.explain[(a, b)] = because
            self.chain_length[a, b] = len(because)

    def _close_noes(self) -> list[Pair]:
        """After a yes, reachability grew, so more cells follow from the earlier no answers."""
        reach = self._reach().astype(np.float64)
        forced = (reach.T @ self.direct_no.astype(np.float64) @ reach.T) > 0
        new_cells: list[Pair] = []
        for a, b in np.argwhere(forced & (self.value == _UNKNOWN)):
            a, b = int(a), int(b)
            sources = np.flatnonzero(self.value[:, a] == _YES)
            targets = np.flatnonzero(self.value[b, :] == _YES)
            witnesses = np.argwhere(self.direct_no[np.ix_(sources, targets)])
            cost = (
                self.chain_length[sources[witnesses[:, 0]], a]
                + self.chain_length[b, targets[witnesses[:, 1]]]
            )
            best = witnesses[int(np.argmin(cost))]
            c, d = int(sources[best[0]]), int(targets[best[1]])
            self._set(a, b, _NO, _join(self.chain(c, a), ((c, d),), self.chain(b, d)))
            new_cells.append((a, b))
        return new_cells

    def cell_value(self, a: int, b: int) -> bool | None:
        value = int(self.value[a, b])
        return None if value == _UNKNOWN else value == _YES


def _join(*chains: tuple[Pair, ...]) -> tuple[Pair, ...]:
    """Concatenate chains, keeping the first occurrence of a pair (chains may overlap)."""
    seen: set[Pair] = set()
    out: list[Pair] = []
    for chain in chains:
        for pair in chain:
            pair = (int(pair[0]), int(pair[1]))
            if pair not in seen:
                seen.add(pair)
                out.append(pair)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# The resumable session
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class IsmSession:
    """A resumable ISM elicitation: question out, answer in, state storable as JSON.

    Create one with :meth:`start`; store it with :meth:`to_dict` and load it with
    :meth:`from_dict` between requests. The flow is::

        session = IsmSession.start(n, order=vote_order)
        while (pair := session.next_question()) is not None:
            outcome = session.answer(*pair, yes=group_says_yes)

    ``answer`` only accepts the current question, so two facilitators' tabs cannot record an
    answer to a stale question; the facilitator can still enter any pair explicitly with
    ``answer(i, j, yes, allow_out_of_turn=True)``: this is how the group disputes an inferred
    relation. If that contradicts earlier answers nothing changes and the outcome carries a
    :class:`Contradiction` naming the answers to revisit. :meth:`revise` changes an earlier
    direct answer (recomputing all inferences from the remaining answers, refused with a
    report if that creates a conflict); :meth:`withdraw` removes one and puts the pair back to
    the group as the next question; :meth:`defer` postpones the current question (e.g. an
    undecided vote) until the other questions are done.
    """

    n: int
    order: tuple[int, ...]
    strategy: str
    _knowledge: _Knowledge
    _answers: list[DirectAnswer] = field(default_factory=list)
    _asked: list[Pair] = field(default_factory=list)
    _current: Pair | None = None
    _pivot: int | None = None
    _deferred: list[Pair] = field(default_factory=list)
    _reopened: list[Pair] = field(default_factory=list)
    _revisions: list[Revision] = field(default_factory=list)

    # -- creation and storage ----------------------------------------------------------------

    @classmethod
    def start(
        cls, n: int, *, order: Sequence[int] | None = None, strategy: str = "adaptive"
    ) -> IsmSession:
        """Start an elicitation over ``n`` ideas.

        Parameters
        ----------
        n
            Number of ideas (elements 0 .. n-1).
        order
            Preference-vote order, most voted first. Every strategy breaks ties by it, so the
            most important ideas are structured first. Defaults to 0 .. n-1.
        strategy
            How to choose the next question (docs/workshops.md compares them):

            ``"adaptive"`` (default)
                ``"greedy"`` while under a fifth of the known relations are yes (sparse,
                tree-like maps, the usual case), ``"rowmajor"`` once the map looks dense.
            ``"greedy"``
                the pair whose answer is expected to fix the most cells.
            ``"pivot"``
                the reference's strategy (§2.4): all pairs of one idea at a time.
            ``"rowmajor"``
                the naive order: "does i help ...?" for every partner, idea after idea.

            Ties always go to the idea earliest in ``order``.
        """
        _check_size(n)
        return cls(
            n=n,
            order=_check_order(n, order),
            strategy=_check_strategy(strategy),
            _knowledge=_Knowledge(n),
        )

    def to_dict(self) -> dict[str, Any]:
        """The whole state as plain JSON types (one database row)."""
        knowledge = self._knowledge
        return {
            "format": _STATE_FORMAT,
            "n": self.n,
            "order": list(self.order),
            "strategy": self.strategy,
            "answers": [[a.i, a.j, a.yes, a.out_of_turn] for a in self._answers],
            "asked": [list(pair) for pair in self._asked],
            "current": None if self._current is None else list(self._current),
            "pivot": self._pivot,
            "deferred": [list(pair) for pair in self._deferred],
            "reopened": [list(pair) for pair in self._reopened],
            "revisions": [[r.i, r.j, r.before, r.after] for r in self._revisions],
            "matrix": [
                "".join(_CELL_CHARS[int(value)] for value in row) for row in knowledge.value
            ],
            "inferred_from": [
                [a, b, [list(pair) for pair in chain]]
                for (a, b), chain in sorted(knowledge.explain.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IsmSession:
        """Load a state written by :meth:`to_dict`, checking that it is internally consistent."""
        try:
            return cls._from_dict(data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            # InvalidInput is a ValueError too: its sentence becomes the detail here.
            raise InvalidInput(
                f"The stored influence-map state is malformed ({error}); restart the mapping step."
            ) from None

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> IsmSession:
        if data.get("format") != _STATE_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        n = int(data["n"])
        session = cls.start(n, order=[int(x) for x in data["order"]], strategy=data["strategy"])
        knowledge = session._knowledge
        rows = data["matrix"]
        if len(rows) != n or any(len(row) != n for row in rows):
            raise ValueError("matrix has the wrong shape")
        knowledge.value = np.array(
            [[_CHAR_CELLS[char] for char in row] for row in rows], dtype=np.int8
        ).reshape(n, n)
        answers = [
            DirectAnswer(_index(n, i), _index(n, j), _flag(yes), _flag(late))
            for i, j, yes, late in data["answers"]
        ]
        session._answers = answers
        for a in answers:
            knowledge.direct[(a.i, a.j)] = a.yes
            knowledge.chain_length[a.i, a.j] = 1
            if not a.yes:
                knowledge.direct_no[a.i, a.j] = True
        for a, b, chain in data["inferred_from"]:
            # Not validated one by one: _check_consistent requires every cited pair to be a
            # direct answer, which are validated.
            pairs = tuple((i, j) for i, j in chain)
            knowledge.explain[_pair(n, (a, b))] = pairs
            knowledge.chain_length[a, b] = len(pairs)
        session._asked = [_pair(n, pair) for pair in data["asked"]]
        session._current = None if data["current"] is None else _pair(n, data["current"])
        session._pivot = None if data["pivot"] is None else _index(n, data["pivot"])
        session._deferred = [_pair(n, pair) for pair in data["deferred"]]
        session._reopened = [_pair(n, pair) for pair in data["reopened"]]
        session._revisions = [
            Revision(
                _index(n, i), _index(n, j), _flag(before), None if after is None else _flag(after)
            )
            for i, j, before, after in data["revisions"]
        ]
        session._check_consistent()
        return session

    def _check_consistent(self) -> None:
        """Reject a stored state whose matrix does not follow from its direct answers.

        Checked with the class invariants of :class:`_Knowledge` in matrix form (a closure and
        two products) rather than by replaying the answers, which is too slow per request.
        """
        n = self.n
        knowledge = self._knowledge
        if len(knowledge.direct) != len(self._answers):
            raise ValueError("a pair is answered twice")
        said_yes = np.zeros((n, n), dtype=bool)
        for a in self._answers:
            said_yes[a.i, a.j] = a.yes
        reach = _closure(said_yes)
        forced_no = (reach.T.astype(np.float64) @ knowledge.direct_no @ reach.T) > 0
        if (reach & forced_no).any():
            raise ValueError("its direct answers contradict each other")
        if not (
            np.array_equal(knowledge.value == _YES, reach)
            and np.array_equal(knowledge.value == _NO, forced_no)
        ):
            raise ValueError("its matrix does not follow from its answers")
        inferred = {
            (int(a), int(b))
            for a, b in np.argwhere(knowledge.value != _UNKNOWN)
            if a != b and (a, b) not in knowledge.direct
        }
        if inferred != set(knowledge.explain):
            raise ValueError("its explanations do not match its inferred cells")
        for cell, chain in knowledge.explain.items():
            if not chain or not all(pair in knowledge.direct for pair in chain):
                raise ValueError(f"the explanation of {cell} cites a pair that was not answered")
        if self._current is not None and knowledge.value[self._current] != _UNKNOWN:
            raise ValueError("its current question is already known")

    # -- reading -------------------------------------------------------------------------------

    @property
    def answers(self) -> tuple[DirectAnswer, ...]:
        """Direct answers in the order they were given (revised answers keep their place)."""
        return tuple(self._answers)

    @property
    def asked(self) -> tuple[Pair, ...]:
        """Questions the engine put to the group and got answered, in order."""
        return tuple(self._asked)

    @property
    def revisions(self) -> tuple[Revision, ...]:
        return tuple(self._revisions)

    @property
    def deferred(self) -> tuple[Pair, ...]:
        return tuple(self._deferred)

    @property
    def finished(self) -> bool:
        return not bool((self._knowledge.value == _UNKNOWN).any())

    def cell(self, i: int, j: int) -> CellState:
        """The state of relation (i, j)."""
        _check_pair(self.n, i, j, allow_diagonal=True)
        knowledge = self._knowledge
        value = knowledge.cell_value(i, j)
        if value is None:
            return CellState((i, j), None, "unknown", ())
        if (i, j) in knowledge.direct:
            return CellState((i, j), value, "direct", ())
        if i == j:
            return CellState((i, j), True, "inferred", ())
        return CellState((i, j), value, "inferred", knowledge.explain[(i, j)])

    def relations(self) -> Iterator[CellState]:
        """Every ordered pair of distinct ideas, row by row."""
        for i in range(self.n):
            for j in range(self.n):
                if i != j:
                    yield self.cell(i, j)

    def structure(self) -> Structure:
        """The map so far: known yes cells (transitively closed) with unknown read as no."""
        return _analyse(self._knowledge.value == _YES, tuple(self._answers), complete=self.finished)

    def remaining(self) -> RemainingEstimate:
        """How many questions are still to come.

        ``upper_bound`` counts the unknown ordered pairs: no more questions than that can be
        asked. ``expected`` assumes the unknown cells need questions at the rate the resolved
        cells did (answers / resolved cells), times 1.4: early answers fix the big blocks, so
        the cells left need a question more often. The factor comes from simulation; over the
        benchmark's maps the estimate was usually within a factor of two of the truth
        (docs/workshops.md).
        """
        unknown = int((self._knowledge.value == _UNKNOWN).sum())
        resolved = self.n * (self.n - 1) - unknown
        answered = len(self._knowledge.direct)
        if unknown == 0 or resolved == 0:
            return RemainingEstimate(unknown, unknown)
        expected = round(_LATE_QUESTION_FACTOR * unknown * answered / resolved)
        return RemainingEstimate(unknown, min(unknown, max(1, expected)))

    # -- the flow ------------------------------------------------------------------------------

    def next_question(self) -> Pair | None:
        """The pair to put to the group now, or None when every relation is known.

        Repeated calls return the same pair until it is answered or deferred.
        """
        if self._current is None:
            self._current, self._pivot = self._choose()
        return self._current

    def answer(
        self, i: int, j: int, yes: bool, *, allow_out_of_turn: bool = False
    ) -> AnswerOutcome:
        """Record the group's answer to "does progress on i significantly help progress on j?".

        Without ``allow_out_of_turn`` only the current question is accepted. With it the
        facilitator may answer any pair: an unknown pair is recorded like a question; a pair
        already fixed by inference is either confirmed (same value) or reported as a
        contradiction (opposite value) and left unchanged. Pairs answered directly must be
        changed with :meth:`revise`.
        """
        _check_pair(self.n, i, j)
        yes = _flag(yes)
        if (i, j) in self._knowledge.direct:
            raise InvalidInput(
                f"The pair ({i}, {j}) has already been answered; use revise to change the answer."
            )
        # Peek without storing: a refused answer must leave the state exactly as it was.
        current, pivot = (
            (self._current, self._pivot) if self._current is not None else self._choose()
        )
        in_turn = current == (i, j)
        if not in_turn and not allow_out_of_turn:
            if current is None:
                raise InvalidInput(
                    "Every relation of this map is already known; there is no question to answer."
                )
            raise InvalidInput(
                f"The current question is the pair {current}, not ({i}, {j}); answer the current "
                "question or reload the page."
            )
        clashes = self._knowledge.clashes(i, j, yes)
        if clashes:
            return self._refused(i, j, yes, clashes)
        before = self._knowledge.value.copy()
        self._knowledge.apply(i, j, yes)
        self._answers.append(DirectAnswer(i, j, yes, out_of_turn=not in_turn))
        if in_turn:
            self._asked.append((i, j))
            self._current, self._pivot = None, pivot
        elif self._current is not None and self._knowledge.value[self._current] != _UNKNOWN:
            self._current = None
        self._forget_known()
        return self._outcome(i, j, yes, before)

    def defer(self, i: int, j: int) -> None:
        """Postpone the current question until every other question has been asked."""
        _check_pair(self.n, i, j)
        if self.next_question() != (i, j):
            raise InvalidInput(
                f"Only the current question can be deferred, and ({i}, {j}) is not it."
            )
        self._deferred.append((i, j))
        self._reopened = [pair for pair in self._reopened if pair != (i, j)]
        self._current = None

    def revise(self, i: int, j: int, yes: bool) -> AnswerOutcome:
        """Change an earlier direct answer and recompute every inference from the answers.

        The revised answer keeps its place in the answer order. If the answers then contradict
        each other nothing changes and the outcome reports the later answer that clashes.
        """
        _check_pair(self.n, i, j)
        yes = _flag(yes)
        if (i, j) not in self._knowledge.direct:
            raise InvalidInput(
                f"The pair ({i}, {j}) was never answered directly, so there is nothing to revise; "
                "answer it out of turn to dispute an inferred relation."
            )
        old = self._knowledge.direct[(i, j)]
        answers = [a._replace(yes=yes) if (a.i, a.j) == (i, j) else a for a in self._answers]
        outcome = self._rebuild(answers, (i, j), yes)
        if outcome.applied and old != yes:
            self._revisions.append(Revision(i, j, old, yes))
        return outcome

    def withdraw(self, i: int, j: int) -> AnswerOutcome:
        """Remove an earlier direct answer and put the pair back to the group.

        Inferences are recomputed from the remaining answers (removing an answer can never
        create a contradiction). If the pair is still implied by other answers it stays known;
        otherwise it becomes the next question.
        """
        _check_pair(self.n, i, j)
        if (i, j) not in self._knowledge.direct:
            raise InvalidInput(
                f"The pair ({i}, {j}) was never answered directly, so it cannot be withdrawn."
            )
        old = self._knowledge.direct[(i, j)]
        answers = [a for a in self._answers if (a.i, a.j) != (i, j)]
        outcome = self._rebuild(answers, (i, j), None)
        self._revisions.append(Revision(i, j, old, None))
        self._asked = [pair for pair in self._asked if pair != (i, j)]
        if self._knowledge.value[i, j] == _UNKNOWN:
            self._reopened.insert(0, (i, j))
            self._current = None
        return outcome

    # -- internals ---------------------------------------------------------------------------

    def _refused(self, i: int, j: int, yes: bool, clashes: tuple[Clash, ...]) -> AnswerOutcome:
        behind = _join(*(clash.known_because for clash in clashes))
        rank = {(a.i, a.j): index for index, a in enumerate(self._answers)}
        revisit = tuple(sorted(behind, key=lambda pair: rank.get(pair, len(rank))))
        contradiction = Contradiction((i, j), yes, clashes, revisit)
        return AnswerOutcome(False, (i, j), yes, (), contradiction, self.finished)

    def _rebuild(self, answers: list[DirectAnswer], pair: Pair, yes: bool | None) -> AnswerOutcome:
        fresh = _Knowledge(self.n)
        for a in answers:
            clashes = fresh.clashes(a.i, a.j, a.yes)
            if clashes:
                refused = self._refused(a.i, a.j, a.yes, clashes)
                return AnswerOutcome(False, pair, yes, (), refused.contradiction, self.finished)
            fresh.apply(a.i, a.j, a.yes)
        before = self._knowledge.value.copy()
        self._knowledge = fresh
        self._answers = answers
        if self._current is not None and fresh.value[self._current] != _UNKNOWN:
            self._current = None
        self._forget_known()
        return self._outcome(pair[0], pair[1], yes, before)

    def _forget_known(self) -> None:
        value = self._knowledge.value
        self._deferred = [pair for pair in self._deferred if value[pair] == _UNKNOWN]
        self._reopened = [pair for pair in self._reopened if value[pair] == _UNKNOWN]

    def _outcome(
        self, i: int, j: int, yes: bool | None, before: npt.NDArray[np.int8]
    ) -> AnswerOutcome:
        after = self._knowledge.value
        changes = []
        for a, b in np.argwhere(before != after):
            state = self.cell(int(a), int(b))
            old = int(before[a, b])
            changes.append(
                CellChange(
                    (int(a), int(b)),
                    None if old == _UNKNOWN else old == _YES,
                    state.value,
                    state.inferred_from,
                )
            )
        return AnswerOutcome(True, (i, j), yes, tuple(changes), None, self.finished)

    def _choose(self) -> tuple[Pair | None, int | None]:
        """The next question and the pivot it belongs to; changes nothing."""
        unknown = self._knowledge.value == _UNKNOWN
        if self._reopened:
            return self._reopened[0], self._pivot
        open_cells = unknown.copy()
        for pair in self._deferred:
            open_cells[pair] = False
        if not open_cells.any():
            return (self._deferred[0] if self._deferred else None), self._pivot
        if self.strategy == "pivot":
            return self._choose_pivot(open_cells)
        if self.strategy == "rowmajor":
            pair = self._choose_rowmajor(open_cells)
        elif self.strategy == "greedy" or _yes_share(self._knowledge.value) < _DENSE_SHARE:
            pair = self._choose_greedy(open_cells)
        else:
            pair = self._choose_rowmajor(open_cells)
        return pair, self._pivot

    def _choose_rowmajor(self, open_cells: npt.NDArray[np.bool_]) -> Pair:
        """The first open pair, rows and then columns taken in vote order."""
        order = np.asarray(self.order)
        row, column = np.argwhere(open_cells[np.ix_(order, order)])[0]
        return int(order[row]), int(order[column])

    def _choose_pivot(self, open_cells: npt.NDArray[np.bool_]) -> tuple[Pair, int]:
        """Reference §2.4: ask all open pairs of one pivot, pivots taken by most open pairs.

        Ties between pivots (always the case at the start) go to the idea earliest in the vote
        order, and a pivot's partners are taken in vote order too, so the best-voted ideas are
        structured first.
        """
        pivot = self._pivot
        if pivot is None or not (open_cells[pivot, :].any() or open_cells[:, pivot].any()):
            counts = open_cells.sum(axis=0) + open_cells.sum(axis=1)
            pivot = max(self.order, key=lambda element: int(counts[element]))
        for other in self.order:
            if open_cells[pivot, other]:
                return (pivot, other), pivot
            if open_cells[other, pivot]:
                return (other, pivot), pivot
        raise AssertionError("a pivot with open pairs always yields a question")

    def _choose_greedy(self, open_cells: npt.NDArray[np.bool_]) -> Pair:
        """The open pair whose answer is expected to fix the most cells.

        A yes to (i, j) fixes the unknown cells of A(i) x R(j), a no those of R(i) x A(j)
        (reference §2.2); both counts for every pair at once are two matrix products. They are
        weighted by the share of yes among the cells known so far. Ties, as at the start, go to
        the pair that comes first in the vote order.
        """
        value = self._knowledge.value
        reach = (value == _YES).astype(np.float64)
        unknown = (value == _UNKNOWN).astype(np.float64)
        gain_yes = reach.T @ unknown @ reach.T
        gain_no = reach @ unknown @ reach
        share = _yes_share(value)
        score = np.where(open_cells, share * gain_yes + (1 - share) * gain_no, -1.0)
        best = np.isclose(score, score.max()) & open_cells
        position = np.empty(self.n, dtype=np.int64)
        position[list(self.order)] = np.arange(self.n)
        rank = (
            np.minimum(position[:, None], position[None, :]) * self.n * self.n
            + position[:, None] * self.n
            + position[None, :]
        )
        i, j = np.unravel_index(int(np.argmin(np.where(best, rank, rank.max() + 1))), rank.shape)
        return int(i), int(j)


def _yes_share(value: npt.NDArray[np.int8]) -> float:
    """Share of yes among the known off-diagonal cells, shrunk towards 1/2 (Laplace)."""
    n = int(value.shape[0])
    yes = int((value == _YES).sum()) - n
    known = int((value != _UNKNOWN).sum()) - n
    return (yes + 1) / (known + 2)


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Structure:
    """An influence map: reachability, levels, cycles, skeleton and MICMAC.

    Elements are 0 .. n-1. ``reachability[i, j]`` is True when progress on i helps progress on
    j (directly or through others); it is reflexive and transitive. ``components`` are the
    strongly connected components (ideas that all help each other), each sorted, ordered by
    their smallest member, so without cycles component k is just (k,). ``skeleton`` holds the
    drawn edges as pairs of component indices (driver component, helped component): the
    transitive reduction of the condensation. ``levels[0]`` is level 1, the outcomes drawn at
    the top; the last level holds the root drivers.
    """

    n: int
    reachability: npt.NDArray[np.bool_]
    answers: tuple[DirectAnswer, ...]
    complete: bool
    components: tuple[tuple[int, ...], ...]
    component_of: tuple[int, ...]
    levels: tuple[tuple[int, ...], ...]
    skeleton: tuple[tuple[int, int], ...]
    driving_power: tuple[int, ...]
    dependence: tuple[int, ...]
    quadrants: tuple[Quadrant, ...]
    micmac_threshold: float

    @property
    def questions(self) -> tuple[Pair, ...]:
        """The pairs answered directly, in order."""
        return tuple((a.i, a.j) for a in self.answers)

    @property
    def cycles(self) -> tuple[tuple[int, ...], ...]:
        """Components with more than one member: ideas that all reinforce each other."""
        return tuple(component for component in self.components if len(component) > 1)

    @property
    def level_of(self) -> tuple[int, ...]:
        """The level (1 = top) of every element."""
        levels = [0] * self.n
        for number, members in enumerate(self.levels, start=1):
            for element in members:
                levels[element] = number
        return tuple(levels)

    @property
    def root_drivers(self) -> tuple[int, ...]:
        """Elements on the last level: the leverage points of the map."""
        return self.levels[-1] if self.levels else ()

    @property
    def skeleton_elements(self) -> tuple[Pair, ...]:
        """Skeleton edges with each component stood for by its smallest member."""
        return tuple((self.components[a][0], self.components[b][0]) for a, b in self.skeleton)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "complete": self.complete,
            "reachability": self.reachability.astype(int).tolist(),
            "answers": [
                {"i": a.i, "j": a.j, "yes": a.yes, "out_of_turn": a.out_of_turn}
                for a in self.answers
            ],
            "components": [list(c) for c in self.components],
            "cycles": [list(c) for c in self.cycles],
            "levels": [list(level) for level in self.levels],
            "skeleton": [list(edge) for edge in self.skeleton],
            "driving_power": list(self.driving_power),
            "dependence": list(self.dependence),
            "quadrants": list(self.quadrants),
            "micmac_threshold": self.micmac_threshold,
        }


def _analyse(
    reachability: npt.NDArray[np.bool_], answers: tuple[DirectAnswer, ...], *, complete: bool
) -> Structure:
    reach = np.array(reachability, dtype=bool)
    n = reach.shape[0]
    reach.setflags(write=False)

    # Reference §2.5: i and j share a component iff each reaches the other.
    mutual = reach & reach.T
    component_of = [-1] * n
    components: list[tuple[int, ...]] = []
    for element in range(n):
        if component_of[element] == -1:
            members = tuple(int(x) for x in np.flatnonzero(mutual[element]))
            for member in members:
                component_of[member] = len(components)
            components.append(members)

    # Reference §2.6, on elements: level 1 = influences nothing else that remains.
    remaining = np.ones(n, dtype=bool)
    levels: list[tuple[int, ...]] = []
    while remaining.any():
        reach_rem = reach & remaining[np.newaxis, :]
        ante_rem = reach.T & remaining[np.newaxis, :]
        top = remaining & ~(reach_rem & ~ante_rem).any(axis=1)
        levels.append(tuple(int(x) for x in np.flatnonzero(top)))
        remaining &= ~top

    # Reference §2.7: the condensation of a transitive relation is itself transitive, so its
    # transitive reduction is exactly the set of edges not implied by a longer path.
    condensed = nx.DiGraph()
    condensed.add_nodes_from(range(len(components)))
    representative = [members[0] for members in components]
    for a, rep_a in enumerate(representative):
        for b, rep_b in enumerate(representative):
            if a != b and reach[rep_a, rep_b]:
                condensed.add_edge(a, b)
    skeleton = tuple(sorted((int(a), int(b)) for a, b in nx.transitive_reduction(condensed).edges))

    driving = tuple(int(x) for x in reach.sum(axis=1))
    dependence = tuple(int(x) for x in reach.sum(axis=0))
    # Reference §2.8: split at the middle of the possible range 1..n.
    threshold = (n + 1) / 2
    quadrants = tuple(
        _quadrant(d > threshold, p > threshold) for d, p in zip(driving, dependence, strict=True)
    )
    return Structure(
        n=n,
        reachability=reach,
        answers=answers,
        complete=complete,
        components=tuple(components),
        component_of=tuple(component_of),
        levels=tuple(levels),
        skeleton=skeleton,
        driving_power=driving,
        dependence=dependence,
        quadrants=quadrants,
        micmac_threshold=threshold,
    )


def _quadrant(high_drive: bool, high_dependence: bool) -> Quadrant:
    if high_drive:
        return "linkage" if high_dependence else "driver"
    return "dependent" if high_dependence else "autonomous"


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def structure(
    n: int,
    ask: Callable[[int, int], bool],
    *,
    order: Sequence[int] | None = None,
    strategy: str = "adaptive",
) -> Structure:
    """Elicit a complete influence map by asking ``ask(i, j)`` only what cannot be inferred.

    Parameters
    ----------
    n
        Number of ideas.
    ask
        Answers "does progress on i significantly help progress on j?". It is called at most
        once per ordered pair, never for a pair its earlier answers imply.
    order
        Preference-vote order, most voted first (default 0 .. n-1).
    strategy
        One of :data:`STRATEGIES`.

    Returns
    -------
    Structure
        The transitive closure of the answers with levels, cycles, skeleton and MICMAC;
        ``Structure.answers`` lists the questions in the order they were asked.
    """
    session = IsmSession.start(n, order=order, strategy=strategy)
    while (pair := session.next_question()) is not None:
        outcome = session.answer(*pair, bool(ask(*pair)))
        if not outcome.applied:
            raise AssertionError("an answer to an open question cannot contradict earlier ones")
    return session.structure()


def structure_from_relation(relation: npt.ArrayLike) -> Structure:
    """Analyse a relation given as a square 0/1 matrix, after reflexive-transitive closure."""
    matrix = np.asarray(relation)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InvalidInput("The relation must be a square matrix with one row per idea.")
    _check_size(matrix.shape[0])
    if not np.isin(matrix, (0, 1)).all():
        raise InvalidInput("The relation matrix may only contain 0 and 1.")
    return _analyse(_closure(matrix.astype(bool)), (), complete=True)


def structure_from_ssim(ssim: Sequence[Sequence[str]] | Sequence[str]) -> Structure:
    """Build a map from a structural self-interaction matrix (V/A/X/O codes, as in ISM papers).

    Only the cells above the diagonal are read: for i < j, V means i helps j, A means j helps
    i, X both, O neither. The result is the transitive closure of these relations (reference
    §2.4), so an SSIM that was not itself transitive gains the implied relations.
    """
    rows = [list(row) for row in ssim]
    n = len(rows)
    _check_size(n)
    relation = np.eye(n, dtype=bool)
    for i, row in enumerate(rows):
        if len(row) != n:
            raise InvalidInput(
                f"Row {i} of the SSIM has {len(row)} cells; every row needs one per idea ({n})."
            )
        for j in range(i + 1, n):
            code = str(row[j]).strip().upper()
            if code not in ("V", "A", "X", "O"):
                raise InvalidInput(
                    f"SSIM cell ({i}, {j}) is {row[j]!r}; use V, A, X or O above the diagonal."
                )
            relation[i, j] = code in ("V", "X")
            relation[j, i] = code in ("A", "X")
    return _analyse(_closure(relation), (), complete=True)


def _closure(relation: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Reflexive transitive closure (Warshall, one vectorised step per intermediate)."""
    reach = relation | np.eye(relation.shape[0], dtype=bool)
    for k in range(reach.shape[0]):
        reach |= np.outer(reach[:, k], reach[k, :])
    return reach


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _check_size(n: object) -> None:
    if not isinstance(n, _INTEGERS) or isinstance(n, bool) or not 1 <= n <= MAX_ELEMENTS:
        raise InvalidInput(f"An influence map needs between 1 and {MAX_ELEMENTS} ideas; got {n!r}.")


def _check_order(n: int, order: Iterable[int] | None) -> tuple[int, ...]:
    if order is None:
        return tuple(range(n))
    result = tuple(int(x) for x in order)
    if sorted(result) != list(range(n)):
        raise InvalidInput(
            f"The vote order must list every idea 0..{n - 1} exactly once; got {list(result)}."
        )
    return result


def _check_strategy(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise InvalidInput(
            f"Unknown question strategy {strategy!r}; use one of {', '.join(STRATEGIES)}."
        )
    return strategy


def _check_pair(n: int, i: object, j: object, *, allow_diagonal: bool = False) -> None:
    for value in (i, j):
        if not isinstance(value, _INTEGERS) or isinstance(value, bool) or not 0 <= value < n:
            raise InvalidInput(f"Ideas are numbered 0..{n - 1}; {value!r} is not one of them.")
    if i == j and not allow_diagonal:
        raise InvalidInput(f"An idea cannot be asked about itself (pair ({i}, {j})).")


def _index(n: int, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n:
        raise ValueError(f"{value!r} is not an idea index")
    return value


def _pair(n: int, value: Sequence[object]) -> Pair:
    i, j = value
    return _index(n, i), _index(n, j)


def _flag(value: object) -> bool:
    if not isinstance(value, _BOOLEANS):
        raise InvalidInput(f"An answer must be yes (True) or no (False); got {value!r}.")
    return bool(value)
