"""The brief is assembled from sections that each part of the platform contributes.

A part registers a function with :func:`brief_section`, in a module of its own in
``tracktwo/brief/sections/`` (every module there is loaded). Given a :class:`BriefScope` (an
initiative, or one dialogue of it), the function returns a :class:`Section` with its
HTML, or ``None`` when it has nothing to say (an initiative without workshops has no
workshop section). Adding a part therefore never touches the others or the brief itself.

Every section must respect the Chatham House rule by construction: no participant
identifier, no statement author, and no breakdown of fewer than ``scope.min_cell`` people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy.orm import Session

from tracktwo.store.models import Dialogue, Initiative

__all__ = ["BriefScope", "Section", "SectionFunction", "brief_section", "registered_sections"]


@dataclass
class BriefScope:
    """What the brief covers, and the rules it follows."""

    db: Session
    initiative: Initiative
    dialogues: list[Dialogue]  # the dialogues covered (one, or all of the initiative's)
    min_cell: int  # smallest number of people a published figure may describe
    language: str = "en"  # the language of the brief's own words (statements keep theirs)
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class Section:
    key: str  # stable identifier, e.g. "common-ground"; used as the HTML id
    title: str
    html: Markup  # the section body, already escaped; figures as inline SVG
    summary: str = ""  # one sentence for the brief's key findings list, if any


SectionFunction = Callable[[BriefScope], Section | None]
_sections: list[tuple[int, str, SectionFunction]] = []


def brief_section(order: int, key: str) -> Callable[[SectionFunction], SectionFunction]:
    """Register a section; ``order`` places it in the brief (lower first)."""

    def register(function: SectionFunction) -> SectionFunction:
        global _sections
        _sections = sorted(
            [*[s for s in _sections if s[1] != key], (order, key, function)],
            key=lambda entry: entry[0],
        )
        return function

    return register


def registered_sections() -> list[tuple[int, str, SectionFunction]]:
    return list(_sections)
