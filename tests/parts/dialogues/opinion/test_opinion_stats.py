"""Polis's statistics against values worked out by hand from the formulas (opinion-math §5-§8).

Every expected number here is computed in the test from the written formula with the counts
read off the small vote tables by eye, never by calling the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tracktwo.parts.dialogues.opinion import (
    NEW_STATEMENT_PRIORITY,
    analyze,
    prop_test,
    two_prop_test,
)
from tracktwo.parts.dialogues.opinion._stats import (
    Tally,
    consensus_lists,
    group_aware_consensus,
    priority,
    representative_statements,
)

Z90 = 1.2816


def test_prop_test_matches_the_formula() -> None:
    # 2 * sqrt(n + 1) * ((s + 1) / (n + 1) - 0.5)
    assert float(prop_test(4, 4)) == pytest.approx(2 * math.sqrt(5) * (5 / 5 - 0.5))
    assert float(prop_test(0, 3)) == pytest.approx(2 * 2 * (1 / 4 - 0.5))
    # no votes at all: the pseudocounts alone give 2 * 1 * (1/1 - 0.5)
    assert float(prop_test(0, 0)) == pytest.approx(1.0)


def test_two_prop_test_matches_the_formula() -> None:
    # counts 4 of 4 versus 0 of 3, each plus one: 5/5 versus 1/4, pooled 6/9
    pooled = 6 / 9
    expected = (1 - 0.25) / math.sqrt(pooled * (1 - pooled) * (1 / 5 + 1 / 4))
    assert float(two_prop_test(4, 0, 4, 3)) == pytest.approx(expected)
    assert float(two_prop_test(4, 0, 4, 3)) == pytest.approx(2.3717082, abs=1e-6)
    # a pooled share of exactly 1 gives 0 instead of a division by zero
    assert float(two_prop_test(3, 3, 3, 3)) == 0.0


# Two groups and three statements; counts (agree, disagree, seen) read off this table:
#            group A (4 members)        group B (3 members)
#   s0       4 agree                    3 disagree
#   s1       1 agree, 2 disagree, 1 pass  2 agree, 1 pass
#   s2       2 agree, 2 disagree          1 agree, 1 disagree (one did not vote)
HAND_TALLY = Tally(
    agree=np.array([[4.0, 1.0, 2.0], [0.0, 2.0, 1.0]]),
    disagree=np.array([[0.0, 2.0, 2.0], [3.0, 0.0, 1.0]]),
    seen=np.array([[4.0, 4.0, 4.0], [3.0, 3.0, 2.0]]),
)


def _two_prop(s1: float, s2: float, n1: float, n2: float) -> float:
    s1, s2, n1, n2 = s1 + 1, s2 + 1, n1 + 1, n2 + 1
    pooled = (s1 + s2) / (n1 + n2)
    return (s1 / n1 - s2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def test_representative_statements_hand_worked() -> None:
    no_mod_out = np.zeros(3, dtype=bool)
    group_a, group_b = representative_statements(HAND_TALLY, no_mod_out, z=Z90, limit=5)

    # Group A: s0 is the only sufficient statement (both z-tests significant) and also the
    # best agree, so it is listed once, flagged best_agree.
    pa = 5 / 6
    pat = 2 * math.sqrt(5) * (5 / 5 - 0.5)
    ra = pa / ((0 + 1) / (3 + 2))
    rat = _two_prop(4, 0, 4, 3)
    assert pat > Z90 and rat > Z90
    assert [r["statement"] for r in group_a] == [0]
    record = group_a[0]
    assert record["direction"] == "agree" and record["best_agree"] is True
    assert record["n_success"] == 4 and record["n_trials"] == 4
    assert record["p_success"] == pytest.approx(pa)
    assert record["p_test"] == pytest.approx(pat)
    assert record["repness"] == pytest.approx(ra)
    assert record["repness_test"] == pytest.approx(rat)

    # Group B: s0 is sufficient on the disagree side; s1 becomes best agree through the
    # "ra > 1 and pa > 0.5" rule (ra = 0.6 / (2/6) = 1.8) and beats s2 on ra*rat*pa*pat.
    pd_b = 4 / 5
    pdt_b = 2 * 2 * (4 / 4 - 0.5)
    rd_b = pd_b / ((0 + 1) / (4 + 2))
    rdt_b = _two_prop(3, 0, 3, 4)
    assert pdt_b > Z90 and rdt_b > Z90
    s1_ra = (3 / 5) / ((1 + 1) / (4 + 2))
    s1_rat = _two_prop(2, 1, 3, 4)
    s2_metric = (
        ((2 / 4) / (3 / 6)) * _two_prop(1, 2, 2, 4) * (2 / 4) * (2 * math.sqrt(3) * (2 / 3 - 0.5))
    )
    s1_metric = s1_ra * s1_rat * (3 / 5) * (2 * 2 * (3 / 4 - 0.5))
    assert s1_ra > 1 and s1_metric > s2_metric
    # agrees come before disagrees
    assert [(r["statement"], r["direction"]) for r in group_b] == [(1, "agree"), (0, "disagree")]
    assert group_b[0]["best_agree"] is True and group_b[1]["best_agree"] is False
    assert group_b[0]["repness"] == pytest.approx(s1_ra)
    assert group_b[0]["repness_test"] == pytest.approx(s1_rat)
    assert group_b[1]["p_success"] == pytest.approx(pd_b)
    assert group_b[1]["p_test"] == pytest.approx(pdt_b)
    assert group_b[1]["repness"] == pytest.approx(rd_b)
    assert group_b[1]["repness_test"] == pytest.approx(rdt_b)


def test_moderated_out_statements_are_never_representative() -> None:
    mod_out = np.array([True, False, False])
    group_a, group_b = representative_statements(HAND_TALLY, mod_out, z=Z90, limit=5)
    assert all(r["statement"] != 0 for r in group_a + group_b)


def test_plain_consensus_hand_worked() -> None:
    # Over everybody: s0 9 agree of 10 seen; s1 6 agree, 1 disagree of 9; s2 1 agree, 8
    # disagree of 9; s3 5 agree, 4 disagree of 9 (no consensus either way).
    everyone = Tally(
        agree=np.array([[9.0, 6.0, 1.0, 5.0]]),
        disagree=np.array([[1.0, 1.0, 8.0, 4.0]]),
        seen=np.array([[10.0, 9.0, 9.0, 9.0]]),
    )
    records = consensus_lists(everyone, np.zeros(4, dtype=bool), z=Z90, limit=5)
    pa0, pat0 = 10 / 12, 2 * math.sqrt(11) * (10 / 11 - 0.5)
    pa1, pat1 = 7 / 11, 2 * math.sqrt(10) * (7 / 10 - 0.5)
    pd2, pdt2 = 9 / 11, 2 * math.sqrt(10) * (9 / 10 - 0.5)
    pa3, pat3 = 6 / 11, 2 * math.sqrt(10) * (6 / 10 - 0.5)
    assert pat1 < Z90 and pat3 < Z90  # s1 and s3 are not significant agreements
    assert [(r["statement"], r["direction"]) for r in records] == [(0, "agree"), (2, "disagree")]
    assert records[0]["p_success"] == pytest.approx(pa0)
    assert records[0]["p_test"] == pytest.approx(pat0)
    assert records[1]["p_success"] == pytest.approx(pd2)
    assert records[1]["p_test"] == pytest.approx(pdt2)
    assert pa1 * pat1 < pa0 * pat0 and pa3 > 0.5


def test_group_aware_consensus_hand_worked() -> None:
    agree, disagree = group_aware_consensus(HAND_TALLY)
    assert agree[0] == pytest.approx((5 / 6) * (1 / 5))
    assert agree[1] == pytest.approx((2 / 6) * (3 / 5))
    assert disagree[2] == pytest.approx((3 / 6) * (2 / 4))


def test_priority_examples_from_the_reference() -> None:
    tally = Tally(
        agree=np.array([[0.0, 18.0, 0.0]]),
        disagree=np.array([[0.0, 2.0, 0.0]]),
        seen=np.array([[0.0, 20.0, 0.0]]),
    )
    values = priority(tally, np.array([0.0, 1.0, 3.0]), np.array([False, False, True]))
    assert values[0] == pytest.approx((0.25 * 9) ** 2) == pytest.approx(NEW_STATEMENT_PRIORITY)
    importance = (1 - 1 / 22) * 2 * (19 / 22)
    assert values[1] == pytest.approx((importance * (1 + 8 * 2 ** (-20 / 5))) ** 2)
    assert values[1] == pytest.approx(6.12, abs=0.005)
    assert values[2] == 49.0


def test_analysis_statistics_agree_with_hand_counts() -> None:
    # Two clear camps of eight: camp A agrees with s0 and disagrees with s1, camp B the
    # opposite; everyone agrees with s2. The analysis must find the two camps and report
    # exactly the counts and consensus values the formulas give.
    rows = []
    for participant in range(16):
        camp = participant < 8
        rows.append((participant, "s0", 1 if camp else -1))
        rows.append((participant, "s1", -1 if camp else 1))
        rows.append((participant, "s2", 1))
        rows.append((participant, "s3", 0 if participant % 2 else (1 if camp else -1)))
    votes = pd.DataFrame(rows, columns=["participant", "statement", "vote"])
    result = analyze(votes)
    assert result.k == 2
    groups = result.participants.set_index("participant")["group"]
    assert groups.loc[0:7].nunique() == 1 and groups.loc[8:15].nunique() == 1
    assert groups.loc[0] != groups.loc[8]
    s2 = result.statements.set_index("statement").loc["s2"]
    assert (s2["agree"], s2["disagree"], s2["pass"]) == (16, 0, 0)
    # both groups: 8 agree of 8 seen
    assert s2["group_aware_consensus"] == pytest.approx((9 / 10) ** 2)
    assert s2["p_agree"] == pytest.approx(17 / 18)
    assert s2["z_agree"] == pytest.approx(2 * math.sqrt(17) * (17 / 17 - 0.5))
    s0 = result.statements.set_index("statement").loc["s0"]
    assert s0["group_aware_consensus"] == pytest.approx((9 / 10) * (1 / 10))
    assert s0["divisiveness"] == pytest.approx(9 / 10 - 1 / 10)
    agree_list = [r["statement"] for r in result.consensus if r["direction"] == "agree"]
    assert agree_list == ["s2"]


def _wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_cross_side_agreement_hand_worked() -> None:
    # Side "east": 10 voters, side "west": 10 voters. "bridge": 9/10 and 7/10 agree;
    # "east-only": 10/10 and 1/10; "few": voted by only 3 westerners.
    rows = []
    for i in range(10):
        rows.append((f"e{i}", "bridge", 1 if i < 9 else -1))
        rows.append((f"w{i}", "bridge", 1 if i < 7 else 0))
        rows.append((f"e{i}", "east-only", 1))
        rows.append((f"w{i}", "east-only", 1 if i < 1 else -1))
        rows.append((f"e{i}", "few", 1))
        if i < 3:
            rows.append((f"w{i}", "few", 1))
    votes = pd.DataFrame(rows, columns=["participant", "statement", "vote"])
    sides = {f"e{i}": "east" for i in range(10)} | {f"w{i}": "west" for i in range(10)}
    result = analyze(votes, sides)
    table = result.statements.set_index("statement")
    east_low, east_high = _wilson(9, 10)
    west_low, west_high = _wilson(7, 10)
    assert table.loc["bridge", "lower[east]"] == pytest.approx(east_low)
    assert table.loc["bridge", "upper[east]"] == pytest.approx(east_high)
    assert table.loc["bridge", "lower[west]"] == pytest.approx(west_low)
    assert table.loc["bridge", "upper[west]"] == pytest.approx(west_high)
    assert table.loc["bridge", "share[west]"] == pytest.approx(0.7)
    assert table.loc["bridge", "cross_side_lower"] == pytest.approx(min(east_low, west_low))
    assert bool(table.loc["bridge", "cross_side_consensus"])  # 0.7 >= the 70 % default
    assert not bool(table.loc["east-only", "cross_side_consensus"])
    # "few" has only 3 western votes (< 5): never flagged, not ranked
    assert not bool(table.loc["few", "cross_side_consensus"])
    assert result.cross_side is not None
    assert [row["statement"] for row in result.cross_side] == ["bridge", "east-only"]
    assert result.sides == [
        {"side": "east", "n_participants": 10, "n_voters": 10, "n_votes": 30},
        {"side": "west", "n_participants": 10, "n_voters": 10, "n_votes": 23},
    ]
    ranked = result.divisive_sides
    assert ranked is not None and ranked[0]["statement"] == "east-only"
    assert ranked[0]["divisiveness"] == pytest.approx(11 / 12 - 2 / 12)
