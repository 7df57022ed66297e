"""The nine tracks of multi-track diplomacy (Diamond & McDonald, *Multi-Track Diplomacy*, 1996).

Drawn as a compass, not a ladder: no track ranks above another. Workshops' action plans name
the track that carries each option; the actor maps use the same numbers.
"""

from __future__ import annotations

from typing import NamedTuple

from tracktwo.kernel.errors import InvalidInput

__all__ = ["TRACKS", "Track", "track"]


class Track(NamedTuple):
    number: int
    name: str
    means: str  # how this track makes peace


TRACKS: tuple[Track, ...] = (
    Track(1, "Government", "peacemaking through diplomacy"),
    Track(2, "Nongovernment / professional", "peacemaking through conflict resolution"),
    Track(3, "Business", "peacemaking through commerce"),
    Track(4, "Private citizen", "peacemaking through personal involvement"),
    Track(5, "Research, training and education", "peacemaking through learning"),
    Track(6, "Activism", "peacemaking through advocacy"),
    Track(7, "Religion", "peacemaking through faith in action"),
    Track(8, "Funding", "peacemaking through providing resources"),
    Track(9, "Communications and the media", "peacemaking through information"),
)


def track(number: int) -> Track:
    """The track with this number (1-9)."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 9:
        raise InvalidInput(f"A track is a number from 1 to 9; got {number!r}.")
    return TRACKS[number - 1]
