"""The Track One brief on the platform: observers read it, facilitators also download it.

The page serves the very document a facilitator downloads, with its own stylesheet inline.
Instead of weakening the site's Content-Security-Policy (which forbids inline styles), this
page is sent with a stricter policy of its own: nothing may load at all, and the one inline
``<style>`` is allowed by its SHA-256 hash (see ``tracktwo.common.brief.render.served_policy``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from tracktwo.common.brief.actions import brief_scope
from tracktwo.common.brief.registry import BriefScope
from tracktwo.common.brief.render import brief_html, brief_pdf, build_brief, served_policy
from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.kernel.errors import NotFound
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.downloads import attachment
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId
from tracktwo.web.templating import environment

router = page_router()
Ctx = Annotated[PageContext, page_context]


def brief_panel(ctx: PageContext, initiative: Initiative, role: Role) -> Markup:
    return Markup(
        environment.get_template("brief/panel.html").render(
            base=f"/initiatives/{initiative.id}/brief",
            can_download=role.at_least(Role.FACILITATOR),
        )
    )


def _file_name(title: str, extension: str) -> str:
    """An ASCII file name for the download, from the brief's title."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60]
    return f"brief-{slug or 'tracktwo'}.{extension}"


def _scope(ctx: PageContext, kind: str, scope_id: int, at_least: Role) -> BriefScope:
    return brief_scope(
        ctx.db,
        ctx.require_user(),
        initiative_id=scope_id if kind == "initiatives" else None,
        dialogue_id=scope_id if kind == "dialogues" else None,
        min_cell=ctx.platform.settings.min_cell_size,
        at_least=at_least,
    )


BACK = {
    "initiatives": ("Back to the initiative", "/initiatives/{id}"),
    "dialogues": ("Back to the results", "/dialogues/{id}/results"),
}


def _add_routes(kind: str) -> None:
    """``/{kind}/{id}/brief`` to read, ``.pdf`` and ``.html`` to download."""

    @router.get(f"/{kind}/{{scope_id}}/brief", name=f"{kind}-brief")
    def read(ctx: Ctx, scope_id: PathId) -> Response:
        scope = _scope(ctx, kind, scope_id, Role.OBSERVER)
        label, back = BACK[kind]
        nav = [(label, back.format(id=scope_id))]
        role = role_in(ctx.db, ctx.user, scope.initiative.id)
        if role is not None and role.at_least(Role.FACILITATOR):
            base = f"/{kind}/{scope_id}/brief"
            nav += [("Download PDF", f"{base}.pdf"), ("Download HTML", f"{base}.html")]
        return HTMLResponse(
            brief_html(build_brief(scope), nav=nav),
            headers={"content-security-policy": served_policy(), "cache-control": "no-store"},
        )

    @router.get(f"/{kind}/{{scope_id}}/brief.{{extension}}", name=f"{kind}-brief-download")
    def download(ctx: Ctx, scope_id: PathId, extension: str) -> Response:
        if extension not in ("pdf", "html"):
            raise NotFound("A brief can be downloaded as .pdf or .html only.")
        scope = _scope(ctx, kind, scope_id, Role.FACILITATOR)
        html = brief_html(build_brief(scope))
        content = brief_pdf(html) if extension == "pdf" else html.encode("utf-8")
        media = "application/pdf" if extension == "pdf" else "text/html; charset=utf-8"
        name = _file_name(scope.title, extension)
        return attachment(
            content, media, name, headers={"content-security-policy": served_policy()}
        )


_add_routes("initiatives")
_add_routes("dialogues")
