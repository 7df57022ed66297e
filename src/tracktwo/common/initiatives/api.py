"""Initiatives and their members, for integrators (facilitator API token required)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from tracktwo.common.initiatives.access import initiative_for, role_in
from tracktwo.common.initiatives.actions import (
    SideInput,
    add_member,
    change_role,
    create_initiative,
    list_initiatives,
    remove_member,
    update_initiative,
)
from tracktwo.common.initiatives.models import Initiative, Membership, Role
from tracktwo.web.api.schemas import (
    ERRORS,
    InitiativeIn,
    InitiativeOut,
    InitiativeUpdate,
    MemberIn,
    MemberOut,
    MemberRoleIn,
    SideOut,
    UserOut,
)
from tracktwo.web.context import ApiContext, api_context
from tracktwo.web.params import PathId

router = APIRouter(responses=ERRORS)
Ctx = Annotated[ApiContext, api_context]


def initiative_out(initiative: Initiative, role: Role) -> InitiativeOut:
    return InitiativeOut(
        id=initiative.id,
        name=initiative.name,
        description=initiative.description,
        languages=list(initiative.languages),
        sides=[SideOut(id=s.id, name=s.name, colour=s.colour) for s in initiative.sides],
        role=role.value,
        created_at=initiative.created_at,
    )


def member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        id=membership.id,
        email=membership.user.email,
        display_name=membership.user.display_name,
        role=membership.role.value,
    )


@router.get("/me", response_model=UserOut, summary="The account the token belongs to")
def me(ctx: Ctx) -> UserOut:
    user = ctx.require_user()
    return UserOut(id=user.id, email=user.email, display_name=user.display_name)


@router.get(
    "/initiatives", response_model=list[InitiativeOut], summary="Initiatives you have a role in"
)
def list_(ctx: Ctx) -> list[InitiativeOut]:
    user = ctx.require_user()
    return [initiative_out(i, role) for i, role in list_initiatives(ctx.db, user)]


@router.post(
    "/initiatives",
    status_code=201,
    response_model=InitiativeOut,
    summary="Create an initiative (you become its owner)",
)
def create(ctx: Ctx, body: InitiativeIn) -> InitiativeOut:
    user = ctx.require_user()
    initiative = create_initiative(
        ctx.db,
        user,
        name=body.name,
        description=body.description,
        languages=body.languages,
        sides=[SideInput(name=s.name, colour=s.colour) for s in body.sides],
    )
    return initiative_out(initiative, Role.OWNER)


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut)
def read(ctx: Ctx, initiative_id: PathId) -> InitiativeOut:
    user = ctx.require_user()
    initiative = initiative_for(ctx.db, user, initiative_id)
    role = role_in(ctx.db, user, initiative_id)
    assert role is not None
    return initiative_out(initiative, role)


@router.put(
    "/initiatives/{initiative_id}",
    response_model=InitiativeOut,
    summary="Replace name, description, languages and sides (owners only)",
)
def update(ctx: Ctx, initiative_id: PathId, body: InitiativeUpdate) -> InitiativeOut:
    user = ctx.require_user()
    initiative = update_initiative(
        ctx.db,
        user,
        initiative_id,
        name=body.name,
        description=body.description,
        languages=body.languages,
        sides=[SideInput(name=s.name, colour=s.colour, id=s.id) for s in body.sides],
    )
    return initiative_out(initiative, Role.OWNER)


@router.get(
    "/initiatives/{initiative_id}/members",
    response_model=list[MemberOut],
    summary="Members and their roles (facilitators and owners)",
)
def members(ctx: Ctx, initiative_id: PathId) -> list[MemberOut]:
    user = ctx.require_user()
    initiative = initiative_for(ctx.db, user, initiative_id, at_least=Role.FACILITATOR)
    return [member_out(m) for m in initiative.memberships]


@router.post(
    "/initiatives/{initiative_id}/members",
    response_model=MemberOut,
    status_code=201,
    responses={202: {"model": MemberOut, "description": "An invitation was created"}},
    summary="Give someone a role; without an account they get an invitation link",
)
def add(ctx: Ctx, initiative_id: PathId, body: MemberIn) -> Response | MemberOut:
    user = ctx.require_user()
    change = add_member(ctx.db, user, initiative_id, email=body.email, role=body.role)
    if change.membership is not None:
        return member_out(change.membership)
    assert change.invitation is not None
    pending = MemberOut(
        id=None,
        email=body.email.strip().lower(),
        display_name=None,
        role=body.role,
        invitation_url=f"{ctx.platform.settings.base_url}/invitations/{change.invitation.secret}",
    )
    return JSONResponse(pending.model_dump(mode="json"), status_code=202)


@router.patch("/initiatives/{initiative_id}/members/{membership_id}", response_model=MemberOut)
def set_role(
    ctx: Ctx, initiative_id: PathId, membership_id: PathId, body: MemberRoleIn
) -> MemberOut:
    user = ctx.require_user()
    membership = change_role(ctx.db, user, initiative_id, membership_id, body.role)
    return member_out(membership)


@router.delete("/initiatives/{initiative_id}/members/{membership_id}", status_code=204)
def remove(ctx: Ctx, initiative_id: PathId, membership_id: PathId) -> Response:
    user = ctx.require_user()
    remove_member(ctx.db, user, initiative_id, membership_id)
    return Response(status_code=204)
