"""Property tests of the ISM engine against an independent oracle.

The oracle works from the definition, with networkx rather than the engine's matrix algebra:
given a set of direct answers, a cell is *implied yes* when the closure of the yes answers
contains it, and *implied no* when adding it as a yes would make the closure contain a pair the
group answered no. A question is legitimate only if neither holds when it is asked.
"""

from __future__ import annotations

import itertools
import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.workshops.ism.ism import STRATEGIES, IsmSession, structure

Answers = list[tuple[int, int, bool]]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the oracle --------------------------------------------------------------------------------


def closure(n: int, edges: list[tuple[int, int]]) -> set[tuple[int, int]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    return set(nx.transitive_closure(graph, reflexive=True).edges)


def implied(n: int, answers: Answers, a: int, b: int) -> bool | None:
    """True / False if the answers force cell (a, b), None if it is free."""
    yes = [(i, j) for i, j, value in answers if value]
    no = {(i, j) for i, j, value in answers if not value}
    if (a, b) in closure(n, yes):
        return True
    if closure(n, [*yes, (a, b)]) & no:
        return False
    return None


def consistent(n: int, answers: Answers) -> bool:
    yes = [(i, j) for i, j, value in answers if value]
    return not closure(n, yes) & {(i, j) for i, j, value in answers if not value}


def check_against_oracle(session: IsmSession) -> None:
    """Every cell the session knows is implied, every cell it does not know is free, and every
    inferred cell's ``inferred_from`` answers imply it on their own."""
    n = session.n
    answers = [(a.i, a.j, a.yes) for a in session.answers]
    by_pair = {(i, j): value for i, j, value in answers}
    for state in session.relations():
        a, b = state.cell
        assert state.value == implied(n, answers, a, b), state
        if state.source == "inferred":
            cited = [(i, j, by_pair[(i, j)]) for i, j in state.inferred_from]
            assert implied(n, cited, a, b) == state.value, state
        if state.source == "direct":
            assert state.inferred_from == ()


# -- generators --------------------------------------------------------------------------------


@st.composite
def relations(draw: st.DrawFn) -> np.ndarray:
    """A reflexive transitive relation of a chosen kind, as a boolean matrix."""
    n = draw(st.integers(1, 9))
    kind = draw(st.sampled_from(["empty", "chain", "tree", "dag", "dense", "cycles"]))
    perm = draw(st.permutations(range(n)))
    edges: list[tuple[int, int]] = []
    if kind == "chain":
        edges = [(perm[k], perm[k + 1]) for k in range(n - 1)]
    elif kind == "tree":
        edges = [(perm[k], perm[draw(st.integers(0, k - 1))]) for k in range(1, n)]
    elif kind in ("dag", "dense"):
        p = 0.2 if kind == "dag" else 0.7
        pairs = list(itertools.combinations(range(n), 2))
        keep = draw(st.lists(st.floats(0, 1), min_size=len(pairs), max_size=len(pairs)))
        edges = [(perm[i], perm[j]) for (i, j), x in zip(pairs, keep, strict=True) if x < p]
    elif kind == "cycles":
        pairs = list(itertools.permutations(range(n), 2))
        keep = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
        edges = [pair for pair, chosen in zip(pairs, keep, strict=True) if chosen]
    matrix = np.zeros((n, n), dtype=bool)
    for i, j in closure(n, edges):
        matrix[i, j] = True
    return matrix


# -- properties --------------------------------------------------------------------------------


@SETTINGS
@given(truth=relations(), strategy=st.sampled_from(STRATEGIES), data=st.data())
def test_structure_recovers_closure_asking_only_free_questions_once(
    truth: np.ndarray, strategy: str, data: st.DataObject
) -> None:
    n = truth.shape[0]
    order = data.draw(st.permutations(range(n)))
    answers: Answers = []

    def ask(i: int, j: int) -> bool:
        assert i != j
        assert (i, j) not in {(a, b) for a, b, _ in answers}, "asked twice"
        assert implied(n, answers, i, j) is None, f"asked implied question {(i, j)}"
        answers.append((i, j, bool(truth[i, j])))
        return bool(truth[i, j])

    result = structure(n, ask, order=order, strategy=strategy)
    assert np.array_equal(result.reachability, truth)
    assert result.questions == tuple((i, j) for i, j, _ in answers)
    assert len(answers) <= n * (n - 1)


@SETTINGS
@given(n=st.integers(2, 7), data=st.data())
def test_arbitrary_answers_keep_complete_inference_and_refuse_contradictions(
    n: int, data: st.DataObject
) -> None:
    """Any sequence of facilitator answers, including disputes of inferred relations:
    consistent ones are applied with exactly the implied cells, contradicting ones are refused
    with a report that names the answers behind the clash, and change nothing."""
    session = IsmSession.start(n)
    for _ in range(data.draw(st.integers(0, 25))):
        inferred = [s.cell for s in session.relations() if s.source == "inferred"]
        if inferred and data.draw(st.booleans()):
            i, j = data.draw(st.sampled_from(inferred))
            yes = not session.cell(i, j).value
        else:
            free = [s.cell for s in session.relations() if s.source != "direct"]
            if not free:
                break
            i, j = data.draw(st.sampled_from(free))
            yes = data.draw(st.booleans())
        before = session.to_dict()
        previous = [(a.i, a.j, a.yes) for a in session.answers]
        outcome = session.answer(i, j, yes, allow_out_of_turn=True)
        if consistent(n, [*previous, (i, j, yes)]):
            assert outcome.applied and outcome.contradiction is None
            assert session.cell(i, j).source == "direct"
        else:
            event("contradiction refused")
            assert not outcome.applied
            assert outcome.contradiction is not None
            assert session.to_dict() == before, "a contradicting answer changed the state"
            for clash in outcome.contradiction.clashes:
                a, b = clash.cell
                cited = [x for x in previous if (x[0], x[1]) in clash.known_because]
                assert implied(n, cited, a, b) == clash.known
                # The new chain is yes answers leading through (i, j): with (i, j) as a yes
                # they reach (a, b); with (a, b) as a yes they would reach (i, j).
                chain = [(x, y) for x, y, v in previous if v and (x, y) in clash.new_because]
                if yes:
                    assert (a, b) in closure(n, [*chain, (i, j)])
                else:
                    assert (i, j) in closure(n, [*chain, (a, b)])
                assert set(clash.known_because) <= set(outcome.contradiction.revisit)
    check_against_oracle(session)


@SETTINGS
@given(truth=relations(), data=st.data())
def test_revise_recomputes_from_the_remaining_answers(
    truth: np.ndarray, data: st.DataObject
) -> None:
    n = truth.shape[0]
    session = IsmSession.start(n, strategy=data.draw(st.sampled_from(STRATEGIES)))
    steps = data.draw(st.integers(0, n * n))
    for _ in range(steps):
        pair = session.next_question()
        if pair is None:
            break
        session.answer(*pair, bool(truth[pair]))
    if not session.answers:
        return
    target = data.draw(st.sampled_from(session.answers))
    before = session.to_dict()
    revised = [(a.i, a.j, (not a.yes) if a == target else a.yes) for a in session.answers]
    outcome = session.revise(target.i, target.j, not target.yes)
    if consistent(n, revised):
        event("revision applied")
        assert outcome.applied
        assert session.cell(target.i, target.j).value is (not target.yes)
        assert session.revisions[-1][:3] == (target.i, target.j, target.yes)
        check_against_oracle(session)
        # The flow goes on to a complete, consistent map.
        while (pair := session.next_question()) is not None:
            assert session.answer(*pair, bool(truth[pair])).applied
        check_against_oracle(session)
    else:
        event("revision refused")
        assert not outcome.applied
        assert outcome.contradiction is not None
        assert session.to_dict() == before


@SETTINGS
@given(truth=relations(), data=st.data())
def test_withdraw_puts_the_pair_back_unless_still_implied(
    truth: np.ndarray, data: st.DataObject
) -> None:
    n = truth.shape[0]
    session = IsmSession.start(n)
    while (pair := session.next_question()) is not None:
        session.answer(*pair, bool(truth[pair]))
    if not session.answers:
        return
    target = data.draw(st.sampled_from(session.answers))
    outcome = session.withdraw(target.i, target.j)
    assert outcome.applied
    check_against_oracle(session)
    state = session.cell(target.i, target.j)
    event(f"withdrawn pair still implied: {state.value is not None}")
    if state.value is None:
        assert session.next_question() == (target.i, target.j)
        session.answer(target.i, target.j, target.yes)
    else:
        assert state.value == target.yes
    assert session.finished
    assert np.array_equal(session.structure().reachability, truth)


@SETTINGS
@given(truth=relations(), data=st.data())
def test_state_round_trips_mid_flow(truth: np.ndarray, data: st.DataObject) -> None:
    n = truth.shape[0]
    strategy = data.draw(st.sampled_from(STRATEGIES))
    session = IsmSession.start(n, order=data.draw(st.permutations(range(n))), strategy=strategy)
    for _ in range(data.draw(st.integers(0, n * n))):
        pair = session.next_question()
        if pair is None:
            break
        session.answer(*pair, bool(truth[pair]))
    if data.draw(st.booleans()):
        session.next_question()  # a question on screen but not yet answered
    stored = json.loads(json.dumps(session.to_dict()))
    copy = IsmSession.from_dict(stored)
    assert copy.to_dict() == session.to_dict()
    # Both continue identically.
    while (pair := session.next_question()) is not None:
        assert copy.next_question() == pair
        session.answer(*pair, bool(truth[pair]))
        copy.answer(*pair, bool(truth[pair]))
    assert copy.next_question() is None
    assert copy.to_dict() == session.to_dict()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["matrix"].__setitem__(0, "0" + d["matrix"][0][1:]),  # diagonal cell
        lambda d: d["answers"].append([0, 1, "yes", False]),
        lambda d: d.__setitem__("format", "other/9"),
        lambda d: d.__setitem__("n", 3),
        lambda d: d["inferred_from"].clear(),
        lambda d: d.pop("order"),
    ],
)
def test_tampered_state_is_rejected_with_a_clear_error(tamper: object) -> None:
    session = IsmSession.start(4, strategy="rowmajor")
    for answer in (True, True, False):
        session.answer(*session.next_question(), answer)  # type: ignore[misc]
    session.answer(1, 2, True, allow_out_of_turn=True)
    data = json.loads(json.dumps(session.to_dict()))
    assert data["inferred_from"], "the example needs an inferred cell"
    tamper(data)  # type: ignore[operator]
    with pytest.raises(InvalidInput, match="stored influence-map state"):
        IsmSession.from_dict(data)
