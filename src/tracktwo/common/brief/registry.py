"""The brief is assembled from sections that each part of the platform contributes.

A part registers a function with :func:`brief_section`, in its own ``brief.py`` (named by
its manifest's ``brief``; every part's is loaded). Given a :class:`BriefScope` (an
initiative, or one dialogue of it), the function returns a :class:`Section` with its
HTML, or ``None`` when it has nothing to say (an initiative without workshops has no
workshop section). Adding a part therefore never touches the others or the brief itself.

Every section must respect the Chatham House rule by construction: no participant
identifier, no statement author, and no breakdown of fewer than ``scope.min_cell`` people.

A brief can also be made without the platform's database, from a Polis export analysed on
the command line. Such a scope has no ``db`` and no ``initiative``; only the sections
registered with ``needs_database=False`` (those that work from ``scope.findings`` alone) are
asked for their part. The interface is described in ``docs/brief.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.models import Initiative
from tracktwo.parts.dialogues.models import Dialogue
from tracktwo.parts.dialogues.opinion.findings import Findings

__all__ = [
    "BriefScope",
    "NoDatabase",
    "Section",
    "SectionFunction",
    "brief_section",
    "load_sections",
    "registered_sections",
    "section_needs_database",
    "unregister_section",
]


class NoDatabase(LookupError):
    """A section asked for the database of a brief made from an export (a programming error:
    such a section must keep the default ``needs_database=True``)."""


class BriefScope:
    """What the brief covers, and the rules it follows.

    Parameters
    ----------
    db, initiative
        The database session and the initiative (``None`` for a brief made from an export).
    dialogues
        The dialogues covered: one, or all of the initiative's (none for an export).
    min_cell
        The smallest number of people a published figure may describe.
    language
        The language of the brief's own words (statements keep theirs).
    extra
        Free room for a part to pass something to its section.
    title, subtitle
        The title block (default: the initiative's name).
    findings
        What the dialogues found, for a brief without a database; on the platform they are
        read from the database the first time a section asks.
    languages
        The participants' languages: statements are shown in each where translations exist
        (default: the initiative's languages).
    generated_at
        When the brief was made (default: now).
    """

    def __init__(
        self,
        db: Session | None,
        initiative: Initiative | None,
        dialogues: Sequence[Dialogue],
        min_cell: int,
        language: str = "en",
        extra: dict[str, object] | None = None,
        *,
        title: str | None = None,
        subtitle: str | None = None,
        findings: Sequence[Findings] | None = None,
        languages: Sequence[str] | None = None,
        generated_at: datetime | None = None,
    ) -> None:
        if (db is None) != (initiative is None):
            raise ValueError("A brief scope needs both a database and an initiative, or neither.")
        if db is None and findings is None:
            raise ValueError("A brief scope without a database needs its findings.")
        self._db = db
        self._initiative = initiative
        self.dialogues = list(dialogues)
        self.min_cell = min_cell
        self.language = language
        self.extra: dict[str, object] = extra if extra is not None else {}
        self._findings = list(findings) if findings is not None else None
        self.languages = list(
            languages if languages is not None else (initiative.languages if initiative else [])
        )
        self.generated_at = generated_at or datetime.now(UTC)
        if title is None:
            title = initiative.name if initiative is not None else "Findings"
        self.title = title
        self.subtitle = subtitle or ""

    @property
    def has_database(self) -> bool:
        return self._db is not None

    @property
    def db(self) -> Session:
        if self._db is None:
            raise NoDatabase("This brief was made from an export, without a database.")
        return self._db

    @property
    def initiative(self) -> Initiative:
        if self._initiative is None:
            raise NoDatabase("This brief was made from an export, without an initiative.")
        return self._initiative

    @property
    def findings(self) -> list[Findings]:
        """What each dialogue found, in the order of ``dialogues`` (read once, then kept)."""
        if self._findings is None:
            from tracktwo.parts.dialogues.actions.findings import dialogue_findings

            self._findings = [
                dialogue_findings(self.db, dialogue, min_cell=self.min_cell, hide_small_sides=True)
                for dialogue in self.dialogues
            ]
        return self._findings

    def __repr__(self) -> str:
        return f"BriefScope(title={self.title!r}, dialogues={len(self.dialogues)})"


@dataclass
class Section:
    key: str  # stable identifier, e.g. "common-ground"; used as the HTML id
    title: str
    html: Markup  # the section body, already escaped; figures as inline SVG
    summary: str = ""  # one sentence for the brief's key findings list, if any


SectionFunction = Callable[[BriefScope], Section | None]
_sections: list[tuple[int, str, SectionFunction]] = []
_needs_database: dict[str, bool] = {}


def brief_section(
    order: int, key: str, *, needs_database: bool = True
) -> Callable[[SectionFunction], SectionFunction]:
    """Register a section; ``order`` places it in the brief (lower first).

    A section that works from ``scope.findings`` alone passes ``needs_database=False``, and
    is then also part of briefs made from a Polis export. Registering a key again replaces
    the earlier section.
    """

    def register(function: SectionFunction) -> SectionFunction:
        global _sections
        _sections = sorted(
            [*[s for s in _sections if s[1] != key], (order, key, function)],
            key=lambda entry: entry[0],
        )
        _needs_database[key] = needs_database
        return function

    return register


def load_sections() -> None:
    """Import the brief module of every part (its manifest's ``brief``): each registers its
    sections with :func:`brief_section` as it is imported."""
    from tracktwo.parts import all_parts

    for part in all_parts():
        if part.brief is not None:
            part.load(part.brief)


def registered_sections() -> list[tuple[int, str, SectionFunction]]:
    return list(_sections)


def section_needs_database(key: str) -> bool:
    return _needs_database.get(key, True)


def unregister_section(key: str) -> None:
    """Remove a section (for tests that register one of their own)."""
    global _sections
    _sections = [s for s in _sections if s[1] != key]
    _needs_database.pop(key, None)
