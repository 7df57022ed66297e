"""Polis's statistics on vote tallies: repness, consensus, group-aware consensus, priority.

Everything here works on count arrays (groups x statements), never on the vote matrix, so the
formulas can be checked by hand on small numbers (opinion-math §5-§8). Polis's z-tests are its
own pseudocount variants, not textbook tests, which is why they are written out here instead of
taken from scipy.stats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from statsmodels.stats.proportion import proportion_confint

__all__ = [
    "META_PRIORITY",
    "NEW_STATEMENT_PRIORITY",
    "Tally",
    "consensus_lists",
    "divisiveness",
    "group_aware_consensus",
    "priority",
    "prop_test",
    "representative_statements",
    "two_prop_test",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

META_PRIORITY = 49.0
# (importance * (1 + 8 * 2**0)) ** 2 with A = P = S = 0 and extremity 0: (0.25 * 9) ** 2.
NEW_STATEMENT_PRIORITY = (0.25 * 9.0) ** 2


@dataclass(frozen=True)
class Tally:
    """Agree, disagree and seen counts (rows: groups or sides; columns: statements)."""

    agree: FloatArray
    disagree: FloatArray
    seen: FloatArray

    @property
    def passed(self) -> FloatArray:
        return np.asarray(self.seen - self.agree - self.disagree)


def prop_test(successes: FloatArray | float, trials: FloatArray | float) -> FloatArray:
    """Polis's one-proportion z statistic with a pseudocount: 2 sqrt(n+1) ((s+1)/(n+1) - 1/2)."""
    s = np.asarray(successes, dtype=np.float64) + 1.0
    n = np.asarray(trials, dtype=np.float64) + 1.0
    return np.asarray(2.0 * np.sqrt(n) * (s / n - 0.5))


def two_prop_test(
    successes_in: FloatArray | float,
    successes_out: FloatArray | float,
    trials_in: FloatArray | float,
    trials_out: FloatArray | float,
) -> FloatArray:
    """Polis's two-proportion z statistic, every count plus one; 0 when the pooled share is 1."""
    s1 = np.asarray(successes_in, dtype=np.float64) + 1.0
    s2 = np.asarray(successes_out, dtype=np.float64) + 1.0
    n1 = np.asarray(trials_in, dtype=np.float64) + 1.0
    n2 = np.asarray(trials_out, dtype=np.float64) + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (s1 / n1 - s2 / n2) / np.sqrt(spread)
    return np.asarray(np.where((pooled == 1.0) | (spread <= 0.0), 0.0, z))


@dataclass
class _Stats:
    na: FloatArray
    nd: FloatArray
    ns: FloatArray
    pa: FloatArray = field(init=False)
    pd: FloatArray = field(init=False)
    pat: FloatArray = field(init=False)
    pdt: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.pa = (self.na + 1.0) / (self.ns + 2.0)
        self.pd = (self.nd + 1.0) / (self.ns + 2.0)
        self.pat = prop_test(self.na, self.ns)
        self.pdt = prop_test(self.nd, self.ns)


def _record(
    statement: int, direction: str, values: dict[str, float | int], *, best_agree: bool
) -> dict[str, object]:
    return {"statement": statement, "direction": direction, **values, "best_agree": best_agree}


def representative_statements(
    groups: Tally, mod_out: BoolArray, *, z: float, limit: int
) -> list[list[dict[str, object]]]:
    """Polis's representative statements per group (§5), as positions into the columns.

    ``groups`` holds the counts of each group's members (rows in group order). Each returned
    record has the statement position, ``direction`` ("agree"/"disagree"), ``n_success``,
    ``n_trials``, ``p_success``, ``p_test``, ``repness``, ``repness_test`` and ``best_agree``.
    """
    n_groups = groups.agree.shape[0]
    own = _Stats(groups.agree, groups.disagree, groups.seen)
    rest_a = groups.agree.sum(axis=0)[None, :] - groups.agree
    rest_d = groups.disagree.sum(axis=0)[None, :] - groups.disagree
    rest_s = groups.seen.sum(axis=0)[None, :] - groups.seen
    ra = own.pa / ((rest_a + 1.0) / (rest_s + 2.0))
    rd = own.pd / ((rest_d + 1.0) / (rest_s + 2.0))
    rat = two_prop_test(groups.agree, rest_a, groups.seen, rest_s)
    rdt = two_prop_test(groups.disagree, rest_d, groups.seen, rest_s)

    def finalise(g: int, c: int, *, best_agree: bool) -> dict[str, object]:
        if rat[g, c] > rdt[g, c]:
            values = (own.na, own.pa, own.pat, ra, rat)
            direction = "agree"
        else:
            values = (own.nd, own.pd, own.pdt, rd, rdt)
            direction = "disagree"
        n_success, p_success, p_test, rep, rep_test = (float(v[g, c]) for v in values)
        record = {
            "n_success": round(n_success),
            "n_trials": round(float(own.ns[g, c])),
            "p_success": p_success,
            "p_test": p_test,
            "repness": rep,
            "repness_test": rep_test,
        }
        return _record(c, direction, record, best_agree=best_agree)

    def metric(record: dict[str, object]) -> float:
        keys = ("repness", "repness_test", "p_success", "p_test")
        return float(np.prod([float(record[k]) for k in keys]))  # type: ignore[arg-type]

    visible = np.flatnonzero(~mod_out)
    selections: list[list[dict[str, object]]] = []
    for g in range(n_groups):
        sufficient_mask = ((rat[g] > z) & (own.pat[g] > z)) | ((rdt[g] > z) & (own.pdt[g] > z))
        sufficient = [int(c) for c in visible if sufficient_mask[c]]
        best_agree: int | None = None
        for c in visible:
            if own.na[g, c] == 0 and own.nd[g, c] == 0:
                continue
            if best_agree is None:
                accept = bool(own.pat[g, c] > z or (ra[g, c] > 1.0 and own.pa[g, c] > 0.5))
            elif ra[g, best_agree] > 1.0:
                new = ra[g, c] * rat[g, c] * own.pa[g, c] * own.pat[g, c]
                old = (
                    ra[g, best_agree]
                    * rat[g, best_agree]
                    * own.pa[g, best_agree]
                    * own.pat[g, best_agree]
                )
                accept = bool(new > old)
            else:
                accept = bool(
                    own.pa[g, c] * own.pat[g, c] > own.pa[g, best_agree] * own.pat[g, best_agree]
                )
            if accept:
                best_agree = int(c)
        head = [finalise(g, best_agree, best_agree=True)] if best_agree is not None else []
        if not sufficient:
            if head:
                selections.append(head)
            elif visible.size:
                strength = np.maximum(rat[g, visible], rdt[g, visible])
                best = int(visible[int(np.argmax(strength))])
                selections.append([finalise(g, best, best_agree=False)])
            else:
                selections.append([])
            continue
        ranked = [finalise(g, c, best_agree=False) for c in sufficient if c != best_agree]
        ranked.sort(key=metric, reverse=True)
        chosen = (head + ranked)[:limit]
        chosen = [r for r in chosen if r["direction"] == "agree"] + [
            r for r in chosen if r["direction"] == "disagree"
        ]
        selections.append(chosen)
    return selections


def consensus_lists(
    everyone: Tally, mod_out: BoolArray, *, z: float, limit: int
) -> list[dict[str, object]]:
    """Polis's plain consensus over all participants (§6): the top agree and disagree lists,
    each record with ``statement`` (position), ``direction``, counts, ``p_success``, ``p_test``."""
    stats = _Stats(everyone.agree[0], everyone.disagree[0], everyone.seen[0])
    records: list[dict[str, object]] = []
    for direction, counts, p, test in (
        ("agree", stats.na, stats.pa, stats.pat),
        ("disagree", stats.nd, stats.pd, stats.pdt),
    ):
        eligible = np.flatnonzero((~mod_out) & (p > 0.5) & (test > z))
        order = eligible[np.argsort(-(p[eligible] * test[eligible]), kind="stable")][:limit]
        records.extend(
            {
                "statement": int(c),
                "direction": direction,
                "n_success": round(float(counts[c])),
                "n_trials": round(float(stats.ns[c])),
                "p_success": float(p[c]),
                "p_test": float(test[c]),
            }
            for c in order
        )
    return records


def group_aware_consensus(groups: Tally) -> tuple[FloatArray, FloatArray]:
    """Product over groups of (A+1)/(S+2), and the disagree variant with D (§7)."""
    agree = np.prod((groups.agree + 1.0) / (groups.seen + 2.0), axis=0)
    disagree = np.prod((groups.disagree + 1.0) / (groups.seen + 2.0), axis=0)
    return np.asarray(agree), np.asarray(disagree)


def priority(groups: Tally, extremity: FloatArray, is_meta: BoolArray) -> FloatArray:
    """Polis's routing priority (§8) from the clustered participants' tallies."""
    a_total = groups.agree.sum(axis=0)
    s_total = groups.seen.sum(axis=0)
    passes = s_total - a_total - groups.disagree.sum(axis=0)
    p = (passes + 1.0) / (s_total + 2.0)
    a = (a_total + 1.0) / (s_total + 2.0)
    importance = (1.0 - p) * (extremity + 1.0) * a
    value = (importance * (1.0 + 8.0 * np.power(2.0, -s_total / 5.0))) ** 2
    return np.asarray(np.where(is_meta, META_PRIORITY, value))


def divisiveness(tally: Tally) -> tuple[FloatArray, FloatArray]:
    """Spread of the smoothed agree shares (A+1)/(S+2) between rows (groups or sides).

    Returns (max - min) per statement and the shares themselves. The +1/+2 pseudocounts are
    Polis's, so a group of two cannot look maximally divided on one vote.
    """
    shares = (tally.agree + 1.0) / (tally.seen + 2.0)
    if shares.shape[0] < 2:
        return np.zeros(shares.shape[1]), shares
    return np.asarray(shares.max(axis=0) - shares.min(axis=0)), shares


def wilson_interval(
    successes: FloatArray, trials: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for each share; [0, 1] where there are no trials."""
    lower = np.zeros_like(successes, dtype=np.float64)
    upper = np.ones_like(successes, dtype=np.float64)
    observed = trials > 0
    if observed.any():
        low, high = proportion_confint(
            successes[observed], trials[observed], alpha=1.0 - confidence, method="wilson"
        )
        lower[observed] = np.clip(low, 0.0, 1.0)
        upper[observed] = np.clip(high, 0.0, 1.0)
    return lower, upper
