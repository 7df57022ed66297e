"""The initiative dashboard is assembled from the panels the parts declare.

A part's manifest names a function (``dashboard=``) that returns the HTML of its panel for an
initiative, or ``None`` to show nothing; the dashboard page needs no change when a part is
added. Panels appear in the order of :data:`tracktwo.parts.PARTS`, then the core's (the brief).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.parts import CORE, registered_parts

if TYPE_CHECKING:
    from tracktwo.web.context import PageContext

__all__ = ["Panel", "panels", "panels_for"]

Panel = Callable[["PageContext", Initiative, Role], Markup | None]


@cache
def panels() -> tuple[Panel, ...]:
    found: list[Panel] = []
    for part in (*registered_parts(), CORE):
        if part.dashboard is not None:
            found.append(part.load(part.dashboard))
    return tuple(found)


def panels_for(ctx: PageContext, initiative: Initiative, role: Role | None) -> list[Markup]:
    if role is None:
        return []
    rendered = (panel(ctx, initiative, role) for panel in panels())
    return [html for html in rendered if html is not None]
