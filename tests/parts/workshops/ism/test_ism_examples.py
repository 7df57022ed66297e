"""Worked examples with levels, cycles, skeletons and MICMAC derived by hand, and the session's
behaviour on small cases whose every step is worked out in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.workshops.ism.ism import (
    MAX_ELEMENTS,
    IsmSession,
    structure,
    structure_from_relation,
    structure_from_ssim,
)

# ---------------------------------------------------------------------------------------------
# Example 1: seven obstacles with one cycle.
#
#   6 helps 4 and 5; 4 helps 2; 5 helps 3; 2 and 3 help each other; 2 helps 0; 3 helps 1;
#   and also 6 helps 2 directly (implied by 6 -> 4 -> 2, so it must not be drawn).
#
# Reachability sets R(i) (including i) and antecedent sets A(i):
#   R(0) = {0}            A(0) = {0,2,3,4,5,6}
#   R(1) = {1}            A(1) = {1,2,3,4,5,6}
#   R(2) = R(3) = {0,1,2,3}   A(2) = A(3) = {2,3,4,5,6}
#   R(4) = {0,1,2,3,4}    A(4) = {4,6}
#   R(5) = {0,1,2,3,5}    A(5) = {5,6}
#   R(6) = everything     A(6) = {6}
# Levels (R ⊆ A among the remaining elements):
#   pass 1: 0 and 1 (R = themselves); 2 fails because 0 ∈ R(2) \ A(2).     -> level 1 = {0, 1}
#   pass 2 (remove 0, 1): R(2) = R(3) = {2,3} ⊆ A = {2,...,6}; R(4) ∋ 2 ∉ A(4) -> level 2 = {2, 3}
#   pass 3: R(4) = {4} ⊆ {4,6}, R(5) = {5} ⊆ {5,6}; R(6) ∋ 4 ∉ A(6)      -> level 3 = {4, 5}
#   pass 4: {6}.
# Components ordered by smallest member: (0,) (1,) (2,3) (4,) (5,) (6,) = indices 0..5.
# Skeleton on components: {2,3} -> 0, {2,3} -> 1, 4 -> {2,3}, 5 -> {2,3}, 6 -> 4, 6 -> 5,
#   i.e. (2,0) (2,1) (3,2) (4,2) (5,3) (5,4); 6 -> {2,3} is implied and dropped.
# MICMAC: driving power |R| = 1,1,4,4,5,5,7; dependence |A| = 6,6,5,5,2,2,1; split at
#   (7+1)/2 = 4, "high" meaning above 4: 0,1,2,3 dependent; 4,5,6 drivers.
# ---------------------------------------------------------------------------------------------
EXAMPLE_1 = [(6, 4), (6, 5), (4, 2), (5, 3), (2, 3), (3, 2), (2, 0), (3, 1), (6, 2)]


def example_1_relation() -> np.ndarray:
    relation = np.zeros((7, 7), dtype=int)
    for i, j in EXAMPLE_1:
        relation[i, j] = 1
    return relation


def check_example_1(result: object) -> None:
    assert result.levels == ((0, 1), (2, 3), (4, 5), (6,))  # type: ignore[attr-defined]
    assert result.level_of == (1, 1, 2, 2, 3, 3, 4)  # type: ignore[attr-defined]
    assert result.cycles == ((2, 3),)  # type: ignore[attr-defined]
    assert result.components == ((0,), (1,), (2, 3), (4,), (5,), (6,))  # type: ignore[attr-defined]
    assert result.component_of == (0, 1, 2, 2, 3, 4, 5)  # type: ignore[attr-defined]
    assert result.skeleton == ((2, 0), (2, 1), (3, 2), (4, 2), (5, 3), (5, 4))  # type: ignore[attr-defined]
    assert result.skeleton_elements == ((2, 0), (2, 1), (4, 2), (5, 2), (6, 4), (6, 5))  # type: ignore[attr-defined]
    assert result.root_drivers == (6,)  # type: ignore[attr-defined]
    assert result.driving_power == (1, 1, 4, 4, 5, 5, 7)  # type: ignore[attr-defined]
    assert result.dependence == (6, 6, 5, 5, 2, 2, 1)  # type: ignore[attr-defined]
    assert result.quadrants == (  # type: ignore[attr-defined]
        "dependent",
        "dependent",
        "dependent",
        "dependent",
        "driver",
        "driver",
        "driver",
    )


def test_example_1_from_the_relation() -> None:
    check_example_1(structure_from_relation(example_1_relation()))


def test_example_1_elicited_by_questions() -> None:
    truth = structure_from_relation(example_1_relation()).reachability
    result = structure(7, lambda i, j: bool(truth[i, j]))
    check_example_1(result)
    assert result.complete
    assert len(result.questions) < 7 * 6


# ---------------------------------------------------------------------------------------------
# Example 2: a five-element SSIM as printed in ISM papers (row i, column j > i):
#         0  1  2  3  4
#    0    -  A  A  O  A      1 -> 0, 2 -> 0, 4 -> 0
#    1       -  O  O  A      4 -> 1
#    2          -  A  O      3 -> 2
#    3             -  V      3 -> 4
# Transitivity adds 3 -> 0 (via 2 or 4) and 3 -> 1 (via 4), although the SSIM said O for both.
#   R(0)={0} R(1)={0,1} R(2)={0,2} R(3)={0,1,2,3,4} R(4)={0,1,4}
#   A(0)={0,1,2,3,4} A(1)={1,3,4} A(2)={2,3} A(3)={3} A(4)={3,4}
# Levels: {0}; then R(1)={1}, R(2)={2} -> {1,2}; then R(4)={4} -> {4}; then {3}.
# Skeleton: 1->0, 2->0, 4->1, 3->2, 3->4 (4->0, 3->0 and 3->1 are implied).
# MICMAC: drive 1,2,2,5,3; dependence 5,3,2,1,2; split at 3 ("high" = above 3):
#   0 dependent, 1 autonomous, 2 autonomous, 3 driver, 4 autonomous.
# ---------------------------------------------------------------------------------------------
SSIM_2 = [
    ["", "A", "A", "O", "A"],
    ["", "", "O", "O", "A"],
    ["", "", "", "A", "O"],
    ["", "", "", "", "V"],
    ["", "", "", "", ""],
]


def test_example_2_from_an_ssim() -> None:
    result = structure_from_ssim(SSIM_2)
    expected_reach = {0: {0}, 1: {0, 1}, 2: {0, 2}, 3: {0, 1, 2, 3, 4}, 4: {0, 1, 4}}
    for i, targets in expected_reach.items():
        assert set(np.flatnonzero(result.reachability[i])) == targets
    assert result.levels == ((0,), (1, 2), (4,), (3,))
    assert result.cycles == ()
    assert result.skeleton == ((1, 0), (2, 0), (3, 2), (3, 4), (4, 1))
    assert result.driving_power == (1, 2, 2, 5, 3)
    assert result.dependence == (5, 3, 2, 1, 2)
    assert result.quadrants == ("dependent", "autonomous", "autonomous", "driver", "autonomous")


def test_ssim_x_makes_a_cycle_and_bad_codes_are_rejected() -> None:
    result = structure_from_ssim(["-X", "--"])
    assert result.cycles == ((0, 1),)
    assert result.levels == ((0, 1),)
    with pytest.raises(InvalidInput, match=r"SSIM cell \(0, 1\)"):
        structure_from_ssim([["", "Q"], ["", ""]])
    with pytest.raises(InvalidInput, match="Row 1"):
        structure_from_ssim([["", "V"], [""]])


# ---------------------------------------------------------------------------------------------
# Example 3: the elicitation of a three-idea chain 0 -> 1 -> 2, row by row.
#   (0,1) yes: fixes only itself.         (0,2) yes: fixes only itself.
#   (1,0) no:  R(1) x A(0) = {1} x {0}: only itself.
#   (1,2) yes: A(1) x R(2) = {0,1} x {2}: (0,2) is known already, so only itself; but now
#              R(1) = {1,2}, and the earlier no to (1,0) forbids every a in R(1) from helping
#              any b in A(0): (2,0) becomes no, "because 1 helps 2 and 1 does not help 0".
#   (2,1) is still free (nothing says whether 2 helps 1): asked, no.
# Five questions of six.
# ---------------------------------------------------------------------------------------------


def test_example_3_each_step_of_a_small_elicitation() -> None:
    truth = {(0, 1): True, (0, 2): True, (1, 0): False, (1, 2): True, (2, 1): False}
    session = IsmSession.start(3, strategy="rowmajor")
    inferred_at_step = []
    while (pair := session.next_question()) is not None:
        outcome = session.answer(*pair, truth[pair])
        inferred_at_step.append(
            (pair, [(c.cell, c.after, c.inferred_from) for c in outcome.inferred])
        )
    assert inferred_at_step == [
        ((0, 1), []),
        ((0, 2), []),
        ((1, 0), []),
        ((1, 2), [((2, 0), False, ((1, 2), (1, 0)))]),
        ((2, 1), []),
    ]
    assert session.asked == ((0, 1), (0, 2), (1, 0), (1, 2), (2, 1))
    state = session.cell(2, 0)
    assert (state.value, state.source, state.inferred_from) == (False, "inferred", ((1, 2), (1, 0)))
    assert session.finished and session.remaining() == (0, 0)


# ---------------------------------------------------------------------------------------------
# Contradictions and revisions, by hand.
# ---------------------------------------------------------------------------------------------


def chain_of_three() -> IsmSession:
    """0 helps 1 and 1 helps 2 (direct), so 0 helps 2 is inferred from both."""
    session = IsmSession.start(3)
    session.answer(0, 1, True, allow_out_of_turn=True)
    session.answer(1, 2, True, allow_out_of_turn=True)
    return session


def test_disputing_an_inferred_relation_is_reported_not_applied() -> None:
    session = chain_of_three()
    assert session.cell(0, 2).inferred_from == ((0, 1), (1, 2))
    before = session.to_dict()
    outcome = session.answer(0, 2, False, allow_out_of_turn=True)
    assert not outcome.applied and outcome.changes == ()
    report = outcome.contradiction
    assert report is not None
    assert report.pair == (0, 2) and report.yes is False
    # The no block of (0, 2) is R(0) x A(2) = {0,1,2} x {0,1,2}: it would also deny the two
    # direct yes answers. The disputed cell itself is reported first.
    assert [c.cell for c in report.clashes] == [(0, 2), (0, 1), (1, 2)]
    assert [c.known_because for c in report.clashes[1:]] == [((0, 1),), ((1, 2),)]
    assert all(c.known for c in report.clashes)
    assert report.clashes[0].known_because == ((0, 1), (1, 2))
    assert report.revisit == ((0, 1), (1, 2))
    assert "(0, 2)" in report.message and "revisit" in report.message
    assert session.to_dict() == before
    # Confirming the inferred value instead is accepted and makes the cell direct.
    confirmed = session.answer(0, 2, True, allow_out_of_turn=True)
    assert confirmed.applied and confirmed.changes == ()
    assert session.cell(0, 2).source == "direct"


def test_revising_an_answer_behind_a_clash_frees_the_disputed_pair() -> None:
    session = chain_of_three()
    outcome = session.revise(1, 2, False)
    assert outcome.applied
    # With 0 -> 1 yes and 1 -> 2 no, nothing fixes 0 -> 2 any more: the no block of (1, 2) is
    # R(1) x A(2) = {1} x {2}.
    assert session.cell(0, 2).value is None
    changed = {c.cell: (c.before, c.after) for c in outcome.changes}
    assert changed[(1, 2)] == (True, False)
    assert changed[(0, 2)] == (True, None)
    assert session.revisions[-1] == (1, 2, True, False)
    # The disputed pair can now be answered as the group wants.
    assert session.answer(0, 2, False, allow_out_of_turn=True).applied


def test_a_revision_that_clashes_with_a_later_answer_is_refused() -> None:
    # 0 -> 1 no; 1 -> 2 yes; 0 -> 2 no (free at the time). Revising 0 -> 1 to yes would make
    # 0 -> 2 follow from 0 -> 1 -> 2, against the later no.
    session = IsmSession.start(3)
    session.answer(0, 1, False, allow_out_of_turn=True)
    session.answer(1, 2, True, allow_out_of_turn=True)
    session.answer(0, 2, False, allow_out_of_turn=True)
    before = session.to_dict()
    outcome = session.revise(0, 1, True)
    assert not outcome.applied
    assert outcome.contradiction is not None
    assert outcome.contradiction.pair == (0, 2)
    assert outcome.contradiction.clashes[0].known_because == ((0, 1), (1, 2))
    assert session.to_dict() == before
    # Withdrawing the later answer first makes the revision possible.
    session.withdraw(0, 2)
    assert session.revise(0, 1, True).applied
    assert session.cell(0, 2).value is True


def test_withdrawn_pair_is_the_next_question() -> None:
    session = IsmSession.start(4, strategy="rowmajor")
    session.answer(*session.next_question(), False)  # type: ignore[misc]
    session.answer(*session.next_question(), False)  # type: ignore[misc]
    assert session.next_question() == (0, 3)
    session.withdraw(0, 1)
    assert session.next_question() == (0, 1)
    assert session.asked == ((0, 2),)
    assert session.revisions == ((0, 1, False, None),)


def test_deferred_question_comes_back_after_the_others() -> None:
    session = IsmSession.start(3, strategy="rowmajor")
    first = session.next_question()
    assert first == (0, 1)
    session.defer(0, 1)
    assert session.deferred == ((0, 1),)
    asked = []
    while (pair := session.next_question()) is not None:
        asked.append(pair)
        session.answer(*pair, False)
    assert asked[-1] == (0, 1)
    assert len(asked) == 6 and session.deferred == ()


def test_out_of_turn_and_stale_answers() -> None:
    session = IsmSession.start(3, strategy="rowmajor")
    assert session.next_question() == (0, 1)
    with pytest.raises(InvalidInput, match=r"current question is the pair \(0, 1\), not \(1, 2\)"):
        session.answer(1, 2, True)
    with pytest.raises(InvalidInput, match="Only the current question can be deferred"):
        session.defer(1, 2)
    session.answer(0, 1, True)
    with pytest.raises(InvalidInput, match="already been answered; use revise"):
        session.answer(0, 1, True, allow_out_of_turn=True)
    # An out-of-turn answer to the pair on screen counts as that question.
    assert session.next_question() == (0, 2)
    session.answer(0, 2, False, allow_out_of_turn=True)
    assert session.asked == ((0, 1), (0, 2))
    for pair in ((1, 0), (1, 2), (2, 0), (2, 1)):
        if session.cell(*pair).value is None:
            session.answer(*pair, False, allow_out_of_turn=True)
    assert session.finished and session.next_question() is None
    with pytest.raises(InvalidInput, match="already known; there is no question"):
        session.answer(1, 2, False)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: IsmSession.start(0), "between 1 and"),
        (lambda: IsmSession.start(MAX_ELEMENTS + 1), "between 1 and"),
        (lambda: IsmSession.start(3, order=[0, 1, 1]), "vote order"),
        (lambda: IsmSession.start(3, strategy="random"), "Unknown question strategy"),
        (lambda: IsmSession.start(3).answer(0, 3, True), "numbered 0..2"),
        (lambda: IsmSession.start(3).answer(1, 1, True), "itself"),
        (lambda: IsmSession.start(3).answer(0, 1, "yes"), "yes \\(True\\) or no"),  # type: ignore[arg-type]
        (lambda: IsmSession.start(3).revise(0, 1, True), "never answered directly"),
        (lambda: IsmSession.start(3).withdraw(0, 1), "never answered directly"),
        (lambda: structure_from_relation([[1, 0]]), "square"),
        (lambda: structure_from_relation([[1, 2], [0, 1]]), "only contain 0 and 1"),
    ],
)
def test_bad_input_gives_one_clear_sentence(call: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        call()  # type: ignore[operator]


def test_remaining_estimate_is_bounded_and_shrinks_to_zero() -> None:
    truth = structure_from_relation(example_1_relation()).reachability
    session = IsmSession.start(7)
    previous_bound = 42
    assert session.remaining() == (42, 42)
    while (pair := session.next_question()) is not None:
        estimate = session.remaining()
        unknown = sum(1 for s in session.relations() if s.value is None)
        assert estimate.upper_bound == unknown <= previous_bound
        assert 1 <= estimate.expected <= estimate.upper_bound
        previous_bound = unknown
        session.answer(*pair, bool(truth[pair]))
    assert session.remaining() == (0, 0)


def test_partial_map_reads_unknown_as_no() -> None:
    session = chain_of_three()
    partial = session.structure()
    assert not partial.complete
    assert partial.levels == ((2,), (1,), (0,))
    assert partial.skeleton == ((0, 1), (1, 2))
    assert partial.questions == ((0, 1), (1, 2))


def test_vote_order_decides_who_is_structured_first() -> None:
    for strategy in ("pivot", "rowmajor", "greedy", "adaptive"):
        session = IsmSession.start(5, order=[3, 1, 4, 0, 2], strategy=strategy)
        assert 3 in session.next_question(), strategy  # type: ignore[operator]
