"""The signed-in facilitator's own account: API tokens and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.accounts.actions import (
    authenticate,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    set_password,
)
from tracktwo.kernel.errors import InvalidInput, PermissionDenied, TracktwoError
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]


def _page(
    ctx: PageContext,
    *,
    new_token: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    user = ctx.require_user()
    return ctx.render(
        "account.html",
        status_code=status_code,
        tokens=list_api_tokens(ctx.db, user),
        new_token=new_token,
        error=error,
    )


@router.get("/account")
def account(ctx: Ctx) -> Response:
    return _page(ctx)


@router.post("/account/tokens")
def new_token(ctx: Ctx, name: Annotated[str, Form()] = "") -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            issued = create_api_token(ctx.db, user, name)
    except TracktwoError as exc:
        return _page(ctx, error=exc.message, status_code=exc.status_code)
    # Shown exactly once: only its hash is kept.
    return _page(ctx, new_token=issued.secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(ctx: Ctx, token_id: PathId) -> Response:
    user = ctx.require_user()
    revoke_api_token(ctx.db, user, token_id)
    return ctx.redirect("/account", done="The token was revoked.")


@router.post("/account/password")
def change_password(
    ctx: Ctx,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            try:
                authenticate(ctx.db, user.email, current_password)
            except PermissionDenied:
                raise PermissionDenied("Your current password is not right.") from None
            if new_password != new_password_again:
                raise InvalidInput("The two new passwords differ; type the same password twice.")
            set_password(ctx.db, user, new_password)
    except TracktwoError as exc:
        return _page(ctx, error=exc.message, status_code=exc.status_code)
    return ctx.redirect("/login", done="Your password was changed; sign in again.")
