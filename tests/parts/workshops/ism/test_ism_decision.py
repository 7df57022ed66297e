"""The group decision rules, on tallies whose outcome is worked out by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.workshops.ism.decision import combine_tallies, decide


@pytest.mark.parametrize(
    ("tallies", "outcome", "reason_part"),
    [
        ({"A": (3, 1), "B": (1, 2)}, "yes", "4 yes, 3 no"),
        ({"A": (1, 3), "B": (2, 1)}, "no", "3 yes, 4 no"),
        ({"A": (2, 1), "B": (0, 1)}, "undecided", "tied at 2 to 2"),
        ({"A": (0, 0), "B": (0, 0)}, "undecided", "Nobody has voted"),
        ({}, "undecided", "Nobody has voted"),
    ],
)
def test_simple_majority(
    tallies: dict[str, tuple[int, int]], outcome: str, reason_part: str
) -> None:
    decision = decide(tallies)
    assert decision.outcome == outcome
    assert reason_part in decision.reason
    assert decision.answer == {"yes": True, "no": False, "undecided": None}[outcome]


@pytest.mark.parametrize(
    ("yes", "no", "outcome"),
    [
        (4, 2, "yes"),  # exactly 2/3: meets the threshold
        (3, 2, "undecided"),  # 60 % either way short of 2/3
        (1, 5, "no"),
        (2, 4, "no"),  # exactly 2/3 no
        (3, 3, "undecided"),
        (0, 0, "undecided"),
    ],
)
def test_qualified_majority_two_thirds(yes: int, no: int, outcome: str) -> None:
    decision = decide({"all": (yes, no)}, "qualified_majority", fraction=Fraction(2, 3))
    assert decision.outcome == outcome
    assert decide({"all": (yes, no)}, "qualified_majority", fraction=2 / 3).outcome == outcome


def test_qualified_majority_three_quarters() -> None:
    assert decide({"a": (3, 1)}, "qualified_majority", fraction=0.75).outcome == "yes"
    assert decide({"a": (4, 2)}, "qualified_majority", fraction=0.75).outcome == "undecided"
    assert "75%" in decide({"a": (4, 2)}, "qualified_majority", fraction=0.75).reason


@pytest.mark.parametrize(
    ("tallies", "outcome", "reason_part"),
    [
        ({"Greek Cypriot": (3, 1), "Turkish Cypriot": (2, 1)}, "yes", "every side said yes"),
        ({"Greek Cypriot": (0, 2), "Turkish Cypriot": (1, 3)}, "no", "every side said no"),
        # 4 yes to 3 no overall, but one side is against: no cross-side agreement.
        ({"Greek Cypriot": (3, 1), "Turkish Cypriot": (1, 2)}, "undecided", "sides disagree"),
        ({"Greek Cypriot": (3, 1), "Turkish Cypriot": (0, 0)}, "undecided", "Turkish Cypriot"),
        ({"Greek Cypriot": (3, 1), "Turkish Cypriot": (1, 1)}, "undecided", "tied"),
        ({}, "undecided", "No side"),
    ],
)
def test_majority_within_each_side(
    tallies: dict[str, tuple[int, int]], outcome: str, reason_part: str
) -> None:
    decision = decide(tallies, "majority_within_each_side")
    assert decision.outcome == outcome
    assert reason_part in decision.reason


def test_hybrid_tallies_are_summed_per_side() -> None:
    devices = {"A": (2, 1), "B": (0, 1)}
    room = {"B": (3, 0), "C": (1, 1)}
    combined = combine_tallies(devices, room)
    assert combined == {"A": (2, 1), "B": (3, 1), "C": (1, 1)}
    assert decide(combined).outcome == "yes"  # 6 yes, 3 no
    assert decide(combined, "majority_within_each_side").outcome == "undecided"  # C is tied


@given(st.dictionaries(st.text(max_size=3), st.tuples(st.integers(0, 20), st.integers(0, 20))))
def test_rules_treat_yes_and_no_symmetrically(tallies: dict[str, tuple[int, int]]) -> None:
    swapped = {side: (no, yes) for side, (yes, no) in tallies.items()}
    flip = {"yes": "no", "no": "yes", "undecided": "undecided"}
    for rule in ("simple_majority", "qualified_majority", "majority_within_each_side"):
        assert decide(swapped, rule).outcome == flip[decide(tallies, rule).outcome]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: decide({"A": (-1, 2)}), "at least 0"),
        (lambda: decide({"A": (1.5, 2)}), "whole numbers"),  # type: ignore[dict-item]
        (lambda: decide({"A": (1,)}), "pair"),  # type: ignore[dict-item]
        (lambda: decide({"A": (1, 0)}, "unanimity"), "Unknown decision rule"),  # type: ignore[arg-type]
        (lambda: decide({"A": (1, 0)}, "qualified_majority", fraction=0.5), "above 1/2"),
        (lambda: decide({"A": (1, 0)}, "qualified_majority", fraction=1.2), "above 1/2"),
        (lambda: decide({"A": (1, 0)}, "qualified_majority", fraction="x"), "fraction"),  # type: ignore[arg-type]
        (lambda: combine_tallies({"A": (True, 0)}), "whole numbers"),
    ],
)
def test_bad_tallies_and_settings(call: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        call()  # type: ignore[operator]
