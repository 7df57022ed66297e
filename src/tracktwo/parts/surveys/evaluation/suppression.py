"""Small-cell suppression: which figures of an evaluation may be shown.

Participants in Track Two programmes can be few and at risk, so no figure may describe
fewer than ``min_cell`` people, directly or by subtraction. Three rules, applied until
nothing changes (each only ever hides more, so this ends):

1. **Small cells.** A figure based on 1 to ``min_cell - 1`` respondents is hidden; its n is
   shown as ``"<5"`` (for the default ``min_cell``). A figure based on nobody is shown as
   empty: it describes no one.
2. **Complements.** Within one breakdown (the sides of one statistic, plus the total), the
   hidden sides together must cover 0 or at least ``min_cell`` respondents; otherwise the
   smallest shown side is hidden too, because total minus shown sides would reveal them.
3. **Overlaps.** Two figures about the same scale, group, side and wave (e.g. the
   all-available pre mean and the paired pre mean) must not be based on respondent sets
   that differ by 1 to ``min_cell - 1`` people, because their difference would describe
   those people. The figure with the lower priority is hidden.

This blocks the obvious subtraction attacks; it is not a formal disclosure-control
guarantee (that problem is NP-hard in general), and model estimates (difference-in-
differences, mixed models), which mix many cells, are subject to rules 1 and 2 only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from tracktwo.kernel.errors import InvalidInput

__all__ = ["MIN_CELL_DEFAULT", "MIN_CELL_FLOOR", "Cell", "Reason", "check_min_cell", "suppress"]

MIN_CELL_DEFAULT = 5
#: Nobody may configure a smaller threshold than this.
MIN_CELL_FLOOR = 3

Reason = Literal["small", "complement", "overlap"]
OVERALL = "overall"


@dataclass(frozen=True)
class Cell:
    """One figure (a block of statistics) that may be shown or hidden.

    ``family`` groups the cells of one breakdown across sides; ``part`` is the side id,
    ``"undeclared"`` or ``"overall"``. ``exposes`` lists, for each (scale, group, side, wave)
    subject the figure describes, the respondents it is based on; ``priority`` decides which
    of two overlapping figures stays (lower stays).
    """

    key: str
    family: Hashable
    part: str
    n: int
    exposes: tuple[tuple[Hashable, frozenset[str]], ...] = ()
    priority: int = 0


def check_min_cell(min_cell: int) -> int:
    """Return ``min_cell`` if it is a whole number of at least 3, else raise InvalidInput."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int):
        raise InvalidInput(f"The minimum cell size must be a whole number, not {min_cell!r}.")
    if min_cell < MIN_CELL_FLOOR:
        raise InvalidInput(
            f"The minimum cell size {min_cell} is too small; it must be at least {MIN_CELL_FLOOR} "
            "to protect respondents."
        )
    return min_cell


def _complements(cells: Sequence[Cell], hidden: dict[str, Reason | None], min_cell: int) -> bool:
    changed = False
    families: dict[Hashable, list[Cell]] = defaultdict(list)
    for cell in cells:
        families[cell.family].append(cell)
    for members in families.values():
        totals = [cell for cell in members if cell.part == OVERALL]
        if not totals or hidden[totals[0].key] is not None:
            continue
        parts = [cell for cell in members if cell.part != OVERALL]
        covered = sum(cell.n for cell in parts if hidden[cell.key] is not None)
        while 0 < covered < min_cell:
            shown = [cell for cell in parts if hidden[cell.key] is None and cell.n > 0]
            if not shown:
                hidden[totals[0].key] = "complement"
                changed = True
                break
            smallest = min(shown, key=lambda cell: (cell.n, cell.key))
            hidden[smallest.key] = "complement"
            covered += smallest.n
            changed = True
    return changed


def _overlaps(cells: Sequence[Cell], hidden: dict[str, Reason | None], min_cell: int) -> bool:
    changed = False
    subjects: dict[Hashable, list[tuple[Cell, frozenset[str]]]] = defaultdict(list)
    for cell in cells:
        for subject, people in cell.exposes:
            subjects[subject].append((cell, people))
    for entries in subjects.values():
        shown: list[frozenset[str]] = []
        for cell, people in sorted(entries, key=lambda entry: (entry[0].priority, entry[0].key)):
            if hidden[cell.key] is not None:
                continue
            if any(0 < len(people ^ other) < min_cell for other in shown):
                hidden[cell.key] = "overlap"
                changed = True
            else:
                shown.append(people)
    return changed


def suppress(cells: Sequence[Cell], min_cell: int) -> dict[str, Reason | None]:
    """Decide for every cell whether it is shown (None) or hidden, and by which rule."""
    check_min_cell(min_cell)
    hidden: dict[str, Reason | None] = {
        cell.key: "small" if 0 < cell.n < min_cell else None for cell in cells
    }
    while _complements(cells, hidden, min_cell) | _overlaps(cells, hidden, min_cell):
        pass
    return hidden
