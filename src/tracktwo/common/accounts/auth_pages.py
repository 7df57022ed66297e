"""Signing in and out, and setting up an account from an invitation link."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.accounts.actions import (
    accept_invitation,
    authenticate,
    end_login_session,
    invitation_for_token,
    start_login_session,
)
from tracktwo.kernel.errors import InvalidInput, PermissionDenied, TracktwoError
from tracktwo.web.context import SESSION_COOKIE, PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.ratelimit import Throttle

router = page_router()
Ctx = Annotated[PageContext, page_context]
login_throttle = Throttle(per_15_minutes=10)


def _safe_next(next_url: str) -> str:
    # Only local paths: an attacker must not turn our sign-in page into a redirector.
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/initiatives"


def _signed_in(ctx: PageContext, user_token: str, next_url: str) -> Response:
    response = ctx.redirect(_safe_next(next_url))
    response.set_cookie(
        SESSION_COOKIE,
        user_token,
        max_age=ctx.platform.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=ctx.platform.settings.secure_cookies,
    )
    return response


@router.get("/")
def home(ctx: Ctx) -> Response:
    if ctx.user is not None:
        return ctx.redirect("/initiatives")
    return ctx.render("home.html")


@router.get("/login")
def login_form(ctx: Ctx, next: str = "/initiatives") -> Response:
    return ctx.render("login.html", next=_safe_next(next), email="", error=None)


@router.post("/login")
def login(
    ctx: Ctx,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/initiatives",
) -> Response:
    client = ctx.request.client.host if ctx.request.client else "unknown"
    key = email.strip().lower()
    try:
        login_throttle.check("ip", client)
        login_throttle.check("email", key)
        user = authenticate(ctx.db, email, password)
    except PermissionDenied as exc:
        login_throttle.failed("ip", client)
        login_throttle.failed("email", key)
        return ctx.render(
            "login.html", status_code=401, next=_safe_next(next), email=email, error=exc.message
        )
    except TracktwoError as exc:
        return ctx.render(
            "login.html",
            status_code=exc.status_code,
            next=_safe_next(next),
            email=email,
            error=exc.message,
        )
    token = start_login_session(ctx.db, user, days=ctx.platform.settings.session_days)
    return _signed_in(ctx, token, next)


@router.post("/logout")
def logout(ctx: Ctx) -> Response:
    token = ctx.request.cookies.get(SESSION_COOKIE)
    if token:
        end_login_session(ctx.db, token)
    response = ctx.redirect("/login", done="You are signed out.")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/invitations/{token}")
def invitation_form(ctx: Ctx, token: str) -> Response:
    invitation = invitation_for_token(ctx.db, token)
    return ctx.render("invitation.html", email=invitation.email, token=token, error=None, name="")


@router.post("/invitations/{token}")
def accept(
    ctx: Ctx,
    token: str,
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
) -> Response:
    invitation = invitation_for_token(ctx.db, token)
    try:
        with ctx.attempt():
            if password != password_again:
                raise InvalidInput("The two passwords differ; type the same password twice.")
            user = accept_invitation(ctx.db, token, password=password, display_name=display_name)
    except TracktwoError as exc:
        return ctx.render(
            "invitation.html",
            status_code=exc.status_code,
            email=invitation.email,
            token=token,
            error=exc.message,
            name=display_name,
        )
    session_token = start_login_session(ctx.db, user, days=ctx.platform.settings.session_days)
    return _signed_in(ctx, session_token, "/initiatives")
