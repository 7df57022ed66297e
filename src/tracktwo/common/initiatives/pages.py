"""Initiative pages: the list, the dashboard, creating and editing, and members."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import Response
from pydantic import BaseModel

from tracktwo.common.initiatives.access import initiative_for, role_in
from tracktwo.common.initiatives.actions import (
    SideInput,
    add_member,
    change_role,
    create_initiative,
    get_initiative,
    list_initiatives,
    remove_member,
    update_initiative,
)
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.kernel.errors import TracktwoError
from tracktwo.kernel.i18n import COMMON_LANGUAGES
from tracktwo.kernel.parsing import parse_id
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.dashboard import panels_for
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]
SPARE_SIDE_ROWS = 2


class InitiativeForm(BaseModel):
    """The initiative form as submitted: one row per side, chosen and other languages."""

    name: str = ""
    description: str = ""
    side_id: list[str] = []
    side_name: list[str] = []
    side_colour: list[str] = []
    languages: list[str] = []
    other_languages: str = ""

    def sides(self) -> list[SideInput]:
        rows = []
        for index, name in enumerate(self.side_name):
            raw_id = self.side_id[index] if index < len(self.side_id) else ""
            colour = self.side_colour[index] if index < len(self.side_colour) else ""
            side_id = parse_id(raw_id, "side") if raw_id.strip() else None
            rows.append(SideInput(name=name, colour=colour or None, id=side_id))
        return rows

    def all_languages(self) -> list[str]:
        return [*self.languages, *self.other_languages.replace(";", ",").split(",")]

    def values(self) -> dict[str, Any]:
        """What to put back into the form when it must be shown again."""
        return {
            "name": self.name,
            "description": self.description,
            "sides": [
                {"id": s.id or "", "name": s.name, "colour": s.colour or ""} for s in self.sides()
            ],
            "languages": self.languages,
        }


def _form_values(initiative: Initiative | None) -> dict[str, Any]:
    blank: dict[str, object] = {"id": "", "name": "", "colour": ""}
    if initiative is None:
        sides = [dict(blank) for _ in range(2 + SPARE_SIDE_ROWS)]
        return {"name": "", "description": "", "sides": sides, "languages": ["en"]}
    sides = [{"id": s.id, "name": s.name, "colour": s.colour} for s in initiative.sides]
    sides += [dict(blank) for _ in range(SPARE_SIDE_ROWS)]
    return {
        "name": initiative.name,
        "description": initiative.description,
        "sides": sides,
        "languages": list(initiative.languages),
    }


def _render_form(
    ctx: PageContext,
    *,
    initiative: Initiative | None,
    values: Mapping[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    languages = values["languages"]
    assert isinstance(languages, list)
    return ctx.render(
        "initiatives/form.html",
        status_code=status_code,
        initiative=initiative,
        values=values,
        common_languages=COMMON_LANGUAGES,
        other_languages=", ".join(code for code in languages if code not in COMMON_LANGUAGES),
        error=error,
    )


@router.get("/initiatives")
def initiative_list(ctx: Ctx) -> Response:
    user = ctx.require_user()
    return ctx.render("initiatives/list.html", initiatives=list_initiatives(ctx.db, user))


@router.get("/initiatives/new")
def new_initiative(ctx: Ctx) -> Response:
    ctx.require_user()
    return _render_form(ctx, initiative=None, values=_form_values(None))


@router.post("/initiatives")
def create(ctx: Ctx, form: Annotated[InitiativeForm, Form()]) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            initiative = create_initiative(
                ctx.db,
                user,
                name=form.name,
                description=form.description,
                sides=form.sides(),
                languages=form.all_languages(),
            )
    except TracktwoError as exc:
        return _render_form(
            ctx,
            initiative=None,
            values=form.values(),
            error=exc.message,
            status_code=exc.status_code,
        )
    return ctx.redirect(f"/initiatives/{initiative.id}", done="The initiative was created.")


@router.get("/initiatives/{initiative_id}")
def dashboard(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    initiative = get_initiative(ctx.db, user, initiative_id)
    role = role_in(ctx.db, user, initiative_id)
    return ctx.render(
        "initiatives/dashboard.html",
        initiative=initiative,
        role=role,
        panels=panels_for(ctx, initiative, role),
    )


@router.get("/initiatives/{initiative_id}/edit")
def edit_form(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    initiative = get_initiative(ctx.db, user, initiative_id)
    if role_in(ctx.db, user, initiative_id) != Role.OWNER:
        return ctx.render(
            "error.html",
            status_code=403,
            status=403,
            message="Only the owners of an initiative may edit it.",
        )
    return _render_form(ctx, initiative=initiative, values=_form_values(initiative))


@router.post("/initiatives/{initiative_id}/edit")
def edit(ctx: Ctx, initiative_id: PathId, form: Annotated[InitiativeForm, Form()]) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            update_initiative(
                ctx.db,
                user,
                initiative_id,
                name=form.name,
                description=form.description,
                sides=form.sides(),
                languages=form.all_languages(),
            )
    except TracktwoError as exc:
        initiative = get_initiative(ctx.db, user, initiative_id)
        return _render_form(
            ctx,
            initiative=initiative,
            values=form.values(),
            error=exc.message,
            status_code=exc.status_code,
        )
    return ctx.redirect(f"/initiatives/{initiative_id}", done="Your changes were saved.")


@router.get("/initiatives/{initiative_id}/members")
def members(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    # Observers (Track One staff) do not see the team's accounts.
    initiative = initiative_for(ctx.db, user, initiative_id, at_least=Role.FACILITATOR)
    role = role_in(ctx.db, user, initiative_id)
    return ctx.render(
        "initiatives/members.html",
        initiative=initiative,
        role=role,
        roles=list(Role),
        invitation_link=None,
        error=None,
    )


@router.post("/initiatives/{initiative_id}/members")
def add(
    ctx: Ctx,
    initiative_id: PathId,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "observer",
) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            change = add_member(ctx.db, user, initiative_id, email=email, role=role)
    except TracktwoError as exc:
        initiative = get_initiative(ctx.db, user, initiative_id)
        return ctx.render(
            "initiatives/members.html",
            status_code=exc.status_code,
            initiative=initiative,
            role=role_in(ctx.db, user, initiative_id),
            roles=list(Role),
            invitation_link=None,
            error=exc.message,
        )
    if change.invitation is None:
        return ctx.redirect(f"/initiatives/{initiative_id}/members", done=f"{email} was added.")
    # The link is shown once, to the owner, who passes it on by a channel they trust.
    initiative = get_initiative(ctx.db, user, initiative_id)
    link = f"{ctx.platform.settings.base_url}/invitations/{change.invitation.secret}"
    return ctx.render(
        "initiatives/members.html",
        initiative=initiative,
        role=Role.OWNER,
        roles=list(Role),
        invitation_link=link,
        invited_email=email.strip().lower(),
        error=None,
    )


@router.post("/initiatives/{initiative_id}/members/{membership_id}/role")
def set_role(
    ctx: Ctx, initiative_id: PathId, membership_id: PathId, role: Annotated[str, Form()] = ""
) -> Response:
    user = ctx.require_user()
    change_role(ctx.db, user, initiative_id, membership_id, role)
    return ctx.redirect(f"/initiatives/{initiative_id}/members", done="The role was changed.")


@router.post("/initiatives/{initiative_id}/members/{membership_id}/remove")
def remove(ctx: Ctx, initiative_id: PathId, membership_id: PathId) -> Response:
    user = ctx.require_user()
    remove_member(ctx.db, user, initiative_id, membership_id)
    return ctx.redirect(f"/initiatives/{initiative_id}/members", done="The member was removed.")
