"""Turn the group's votes on one influence question into yes, no or undecided.

The rule is a workshop setting. A simple majority is the SDD default; a qualified majority asks
for broader agreement; "majority within each side" is the Track Two rule: a relation counts only
if most members of *every* side agree, so neither community can carry the map alone.

In hybrid mode the facilitator types the tallies of people in the room without devices;
:func:`combine_tallies` adds them to the device votes, and the same :func:`decide` applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from tracktwo.kernel.errors import InvalidInput

__all__ = ["RULES", "Decision", "Rule", "Tallies", "combine_tallies", "decide"]

Rule = Literal["simple_majority", "qualified_majority", "majority_within_each_side"]
#: Votes per side: side name -> (yes, no). Abstentions are simply not counted.
Tallies = Mapping[str, tuple[int, int]]

RULES: tuple[Rule, ...] = ("simple_majority", "qualified_majority", "majority_within_each_side")


@dataclass(frozen=True)
class Decision:
    """The group's answer (``outcome``), why (``reason``, one sentence) and the totals."""

    outcome: Literal["yes", "no", "undecided"]
    reason: str
    yes: int
    no: int

    @property
    def answer(self) -> bool | None:
        """True / False for the ISM engine, None when the group has not decided."""
        return None if self.outcome == "undecided" else self.outcome == "yes"


def decide(
    tallies: Tallies, rule: Rule = "simple_majority", *, fraction: float | Fraction = Fraction(2, 3)
) -> Decision:
    """Apply a decision rule to yes/no tallies per side.

    Parameters
    ----------
    tallies
        Side -> (yes, no) for every side of the workshop (a side with no votes may be given as
        (0, 0); it matters for ``majority_within_each_side``).
    rule
        ``simple_majority``: more yes than no. ``qualified_majority``: yes (or no) needs at
        least ``fraction`` of the votes cast; otherwise undecided. ``majority_within_each_side``:
        yes if yes outnumbers no on every side, no if no outnumbers yes on every side, otherwise
        undecided (the sides disagree, a side is tied, or a side did not vote).
    fraction
        The qualified-majority threshold, above 1/2 and at most 1 (default 2/3).

    Returns
    -------
    Decision
        Ties and an empty vote are always undecided: the facilitator reopens the discussion or
        defers the question, the engine never guesses.
    """
    clean = _check_tallies(tallies)
    yes = sum(y for y, _ in clean.values())
    no = sum(n for _, n in clean.values())
    if rule == "simple_majority":
        if yes + no == 0:
            return Decision("undecided", "Nobody has voted yet.", yes, no)
        if yes == no:
            return Decision("undecided", f"The vote is tied at {yes} to {no}.", yes, no)
        outcome: Literal["yes", "no"] = "yes" if yes > no else "no"
        return Decision(outcome, f"A simple majority said {outcome} ({yes} yes, {no} no).", yes, no)
    if rule == "qualified_majority":
        return _qualified(yes, no, _check_fraction(fraction))
    if rule == "majority_within_each_side":
        return _within_each_side(clean, yes, no)
    raise InvalidInput(f"Unknown decision rule {rule!r}; use one of {', '.join(RULES)}.")


def combine_tallies(*tallies: Tallies) -> dict[str, tuple[int, int]]:
    """Add tallies side by side (device votes plus the facilitator's count of the room)."""
    combined: dict[str, tuple[int, int]] = {}
    for one in tallies:
        for side, (yes, no) in _check_tallies(one).items():
            old_yes, old_no = combined.get(side, (0, 0))
            combined[side] = (old_yes + yes, old_no + no)
    return combined


def _qualified(yes: int, no: int, fraction: Fraction) -> Decision:
    cast = yes + no
    if cast == 0:
        return Decision("undecided", "Nobody has voted yet.", yes, no)
    needed = f"{float(fraction):.0%}"
    if yes == no:
        return Decision("undecided", f"The vote is tied at {yes} to {no}.", yes, no)
    # Exact arithmetic: 2 of 3 votes must meet a 2/3 threshold, whatever float rounding says.
    if Fraction(yes, cast) >= fraction:
        return Decision("yes", f"{yes} of {cast} votes said yes, at least {needed}.", yes, no)
    if Fraction(no, cast) >= fraction:
        return Decision("no", f"{no} of {cast} votes said no, at least {needed}.", yes, no)
    return Decision(
        "undecided",
        f"Neither yes ({yes}) nor no ({no}) reached {needed} of the {cast} votes.",
        yes,
        no,
    )


def _within_each_side(tallies: dict[str, tuple[int, int]], yes: int, no: int) -> Decision:
    if not tallies:
        return Decision("undecided", "No side has voted yet.", yes, no)
    silent = [side for side, (y, n) in tallies.items() if y + n == 0]
    if silent:
        return Decision("undecided", f"No one from {', '.join(silent)} has voted.", yes, no)
    tied = [side for side, (y, n) in tallies.items() if y == n]
    if tied:
        return Decision("undecided", f"The vote within {', '.join(tied)} is tied.", yes, no)
    saying_yes = sorted(side for side, (y, n) in tallies.items() if y > n)
    saying_no = sorted(side for side, (y, n) in tallies.items() if n > y)
    if not saying_no:
        return Decision("yes", "A majority within every side said yes.", yes, no)
    if not saying_yes:
        return Decision("no", "A majority within every side said no.", yes, no)
    return Decision(
        "undecided",
        f"The sides disagree: {', '.join(saying_yes)} said yes, {', '.join(saying_no)} said no.",
        yes,
        no,
    )


def _check_tallies(tallies: Tallies) -> dict[str, tuple[int, int]]:
    clean: dict[str, tuple[int, int]] = {}
    for side, counts in tallies.items():
        try:
            yes, no = counts
        except (TypeError, ValueError):
            raise InvalidInput(
                f"The tally for {side!r} must be a pair (yes, no); got {counts!r}."
            ) from None
        for count in (yes, no):
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InvalidInput(
                    f"Vote counts must be whole numbers of at least 0; {side!r} has {count!r}."
                )
        clean[str(side)] = (yes, no)
    return clean


def _check_fraction(fraction: float | Fraction) -> Fraction:
    try:
        exact = Fraction(fraction).limit_denominator(1000)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"The qualified majority must be a fraction such as 2/3; got {fraction!r}."
        ) from None
    if not Fraction(1, 2) < exact <= 1:
        raise InvalidInput(
            f"The qualified majority must be above 1/2 and at most 1; got {fraction!r}."
        )
    return exact
