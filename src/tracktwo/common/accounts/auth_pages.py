"""Signing in and out, and setting up an account from an invitation link."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta
from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.accounts.actions import (
    accept_invitation,
    account_id,
    authenticate,
    end_login_session,
    invitation_for_token,
    normalise_email,
    sign_in_link_for_token,
    start_login_session,
    use_sign_in_link,
)
from tracktwo.common.accounts.models import User
from tracktwo.common.accounts.throttling import (
    attempt_succeeded,
    keys_for_attempt,
    reserve_attempt,
    throttle_key,
)
from tracktwo.kernel.errors import InvalidInput, PermissionDenied, TracktwoError
from tracktwo.kernel.text import is_plain_token
from tracktwo.kernel.tokens import new_secret
from tracktwo.web.client_address import client_address
from tracktwo.web.context import SESSION_COOKIE, PageContext, page_context
from tracktwo.web.pages import page_router

router = page_router()
Ctx = Annotated[PageContext, page_context]
DEVICE_COOKIE = "tt_device"
DEVICE_DAYS = 365


def _safe_next(next_url: str) -> str:
    # Only local paths: an attacker must not turn our sign-in page into a redirector.
    if (
        next_url.startswith("/")
        and not next_url.startswith("//")
        and "\\" not in next_url
        and next_url.isprintable()
        and len(next_url) <= 2000
    ):
        return next_url
    return "/initiatives"


def _device_key(ctx: PageContext) -> bytes:
    secret = ctx.platform.settings.resolved_secret_key.encode()
    return hmac.new(secret, b"tracktwo device cookie", hashlib.sha256).digest()


def _device_cookie(ctx: PageContext, user_id: int, device: str) -> str:
    mac = hmac.new(_device_key(ctx), f"{user_id}.{device}".encode(), hashlib.sha256).hexdigest()
    return f"{user_id}.{device}.{mac}"


def _device_of(ctx: PageContext, user_id: int | None) -> str | None:
    """The device id in this browser's device cookie, if it is genuine and for this account.

    The cookie is set when the account signs in here; it lets its owner sign in on a counter
    of their own, whoever else is guessing at the account (docs/security.md).
    """
    value = ctx.cookie(DEVICE_COOKIE) or ""
    parts = value.split(".")
    if user_id is None or len(parts) != 3 or not is_plain_token(parts[1]):
        return None
    if not hmac.compare_digest(value, _device_cookie(ctx, user_id, parts[1])):
        return None
    return parts[1] if parts[0] == str(user_id) else None


def _signed_in(ctx: PageContext, user: User, next_url: str, device: str | None = None) -> Response:
    token = start_login_session(ctx.db, user, days=ctx.platform.settings.session_days)
    response = ctx.redirect(_safe_next(next_url))
    ctx.set_cookie(
        response, SESSION_COOKIE, token, max_age=ctx.platform.settings.session_days * 86400
    )
    device = device or new_secret()[:22]
    ctx.set_cookie(
        response, DEVICE_COOKIE, _device_cookie(ctx, user.id, device), max_age=DEVICE_DAYS * 86400
    )
    return response


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


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
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/initiatives",
) -> Response:
    settings = ctx.platform.settings
    request = ctx.request
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        settings.trusted_proxy_networks,
    )

    def again(status: int, message: str, *, retry_after: int | None = None) -> Response:
        shown = email if email.isprintable() and len(email) <= 254 else ""
        response = ctx.render(
            "login.html", status_code=status, next=_safe_next(next), email=shown, error=message
        )
        if retry_after is not None:
            response.headers["retry-after"] = str(retry_after)
        return response

    try:
        account = normalise_email(email)
    except InvalidInput as exc:
        return again(400, exc.message)
    device = _device_of(ctx, account_id(ctx.db, account))
    keys = keys_for_attempt(
        throttle_key(settings.resolved_secret_key), account=account, address=address, device=device
    )
    wait = reserve_attempt(ctx.platform.database, keys)
    if wait:
        return again(
            429,
            f"Too many failed sign-ins for this account from here; try again in "
            f"{_wait_text(wait)}, or ask your administrator for a sign-in link.",
            retry_after=max(1, math.ceil(wait.total_seconds())),
        )
    try:
        user = authenticate(ctx.db, account, password)
    except TracktwoError as exc:
        return again(401 if isinstance(exc, PermissionDenied) else exc.status_code, exc.message)
    attempt_succeeded(ctx.platform.database, keys)
    return _signed_in(ctx, user, next, device)


@router.get("/sign-in/{token}")
def sign_in_link_form(ctx: Ctx, token: str) -> Response:
    """A one-time sign-in link asks before it signs in, so that a mail scanner or a link
    preview that opens it does not use it up."""
    link = sign_in_link_for_token(ctx.db, token)
    return ctx.render("sign_in_link.html", email=link.user.email, token=token)


@router.post("/sign-in/{token}")
def sign_in_with_link(ctx: Ctx, token: str) -> Response:
    user = use_sign_in_link(ctx.db, token)
    return _signed_in(ctx, user, "/initiatives")


@router.post("/logout")
def logout(ctx: Ctx) -> Response:
    token = ctx.cookie(SESSION_COOKIE)
    if token:
        end_login_session(ctx.db, token)
    response = ctx.redirect("/login", done="You are signed out.")
    ctx.delete_cookie(response, SESSION_COOKIE)
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
    return _signed_in(ctx, user, "/initiatives")
