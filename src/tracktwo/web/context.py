"""Per-request context for pages and the API: the database session, who is asking, rendering.

Routes commit explicitly (``ctx.db.commit()``) before they answer, so a response that says
something was saved is only ever sent after it was saved. Anything not committed is rolled
back when the request ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import user_for_api_token, user_for_login_session
from tracktwo.common.accounts.models import User
from tracktwo.common.participation.actions import participant_for_secret
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import NotAuthenticated
from tracktwo.kernel.i18n import direction, translator
from tracktwo.store.platform import Platform
from tracktwo.web.security import csrf_token
from tracktwo.web.templating import environment

__all__ = [
    "SESSION_COOKIE",
    "ApiContext",
    "LoginRequired",
    "PageContext",
    "api_context",
    "page_context",
    "platform_of",
]

SESSION_COOKIE = "tt_session"
FLASH_COOKIE = "tt_flash"
LANGUAGE_COOKIE = "tt_lang"  # the participant's language, for pages that know nothing else


class LoginRequired(Exception):
    """Raised by pages that need a signed-in facilitator; answered with a redirect."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@dataclass
class PageContext:
    request: Request
    platform: Platform
    db: Session
    user: User | None
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    def require_user(self) -> User:
        if self.user is None:
            path = self.request.url.path
            if self.request.url.query:
                path += "?" + self.request.url.query
            raise LoginRequired(path)
        return self.user

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        language = values.pop("language", self.language)
        flash = self.request.cookies.get(FLASH_COOKIE)
        html = environment.get_template(template).render(
            request=self.request,
            user=self.user,
            csrf_token=csrf_token(self.request),
            language=language,
            dir=direction(language),
            _=translator(language),
            flash=unquote(flash)[:300] if flash else None,
            **values,
        )
        response = HTMLResponse(html, status_code=status_code)
        if flash:
            response.delete_cookie(FLASH_COOKIE)
        return response

    def redirect(self, url: str, *, done: str | None = None) -> RedirectResponse:
        """Post/redirect/get: answer a form with 303 to the page to show next.

        ``done`` is a confirmation shown once on that page. It travels in a short-lived
        cookie rather than the URL, so nobody can craft a link that shows our page saying
        something we never said.
        """
        response = RedirectResponse(url, status_code=303)
        if done:
            response.set_cookie(
                FLASH_COOKIE, quote(done), max_age=60, httponly=True, samesite="lax"
            )
        return response


def page_context(request: Request) -> Iterator[PageContext]:
    platform = platform_of(request)
    db = platform.database.session()
    try:
        token = request.cookies.get(SESSION_COOKIE)
        user = user_for_login_session(db, token) if token else None
        yield PageContext(request=request, platform=platform, db=db, user=user)
    finally:
        db.close()


@dataclass
class ApiContext:
    """Who is calling the API: a facilitator (``tt_`` token) or a participant (``tp_``)."""

    request: Request
    platform: Platform
    db: Session
    user: User | None
    participant: Participant | None = None

    def require_participant(self) -> Participant:
        if self.participant is None:
            raise NotAuthenticated(
                "This needs a participant token in the header 'Authorization: Bearer <token>'; "
                "join the dialogue first to get one."
            )
        return self.participant

    def require_user(self) -> User:
        if self.user is None:
            raise NotAuthenticated(
                "This needs a facilitator's API token in the header 'Authorization: Bearer "
                "<token>'; create one on your account page or with `tracktwo token create`."
            )
        return self.user


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def api_context(request: Request) -> Iterator[ApiContext]:
    platform = platform_of(request)
    db = platform.database.session()
    try:
        token = bearer_token(request)
        user = participant = None
        if token and token.startswith("tp_"):
            participant = participant_for_secret(db, token)
        elif token:
            user = user_for_api_token(db, token)
        if token and user is None and participant is None:
            raise NotAuthenticated("The API token is not valid (unknown or revoked).")
        db.commit()  # keep the token's last-used time
        yield ApiContext(
            request=request, platform=platform, db=db, user=user, participant=participant
        )
    finally:
        db.close()
