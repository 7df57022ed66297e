"""What a part's demo loader receives and gives back (``demo=`` in its manifest).

`tracktwo demo` makes the accounts and the fictional Kelmar initiative (tracktwo.demo), then
calls every part's loader in the order of the parts. A loader adds its data to the
initiative through its own actions and says what to show the person who runs the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import Participant

__all__ = ["DemoContext", "DemoEntry", "DemoPart"]


@dataclass
class DemoContext:
    db: Session
    initiative: Initiative
    facilitator: User
    observer: User
    #: the programme's participants, as made by the first part that has any (the
    #: dialogue's voters): a later part (the evaluation) asks the same people.
    people: list[Participant] = field(default_factory=list)


class DemoEntry(NamedTuple):
    label: str  # "Results", "Workshop", "Join as Hill villages" ...
    path: str  # the page, from the site's root


@dataclass(frozen=True)
class DemoPart:
    ids: list[int]  # what the part made (dialogue ids, workshop ids ...), first the main one
    entries: list[DemoEntry]  # the pages to print, in order
