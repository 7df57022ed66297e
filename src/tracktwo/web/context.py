"""Per-request context for pages and the API: the unit of work, who is asking, rendering.

Each request is one :class:`~tracktwo.store.uow.UnitOfWork`. It commits when the route
returns, before the response is sent (the dependencies run with ``scope="function"``), so a
response that says something was saved is only ever sent after it was saved; it is rolled
back when the route raises. Routes never commit or roll back themselves: a form shown again
with its error wraps its action in ``ctx.attempt()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import user_for_api_token, user_for_login_session
from tracktwo.common.accounts.models import User
from tracktwo.common.participation.actions import participant_for_secret
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import NotAuthenticated
from tracktwo.kernel.i18n import direction, plural, translator
from tracktwo.store.platform import Platform
from tracktwo.store.uow import UnitOfWork
from tracktwo.web.security import cookie_name, csrf_token, read_cookie
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
    work: UnitOfWork
    user: User | None
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> Session:
        return self.work.session

    def attempt(self) -> AbstractContextManager[None]:
        """Undo what the block did if it raises (for a form shown again with its error)."""
        return self.work.attempt()

    def cookie(self, base: str) -> str | None:
        """A cookie of ours, by its base name (see :func:`tracktwo.web.security.cookie_name`)."""
        return read_cookie(self.request, base)

    def set_cookie(self, response: Response, base: str, value: str, *, max_age: int) -> None:
        """Set one of our cookies: HttpOnly, SameSite=Lax, and over HTTPS Secure and
        ``__Host-`` prefixed, so that no other host can set or overwrite it."""
        secure = self.platform.settings.secure_cookies
        response.set_cookie(
            cookie_name(base, secure),
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure,
        )

    def delete_cookie(self, response: Response, base: str) -> None:
        """Remove a cookie of ours under both its names."""
        response.delete_cookie(base, path="/")
        if self.platform.settings.secure_cookies:
            response.delete_cookie(cookie_name(base, True), path="/", secure=True)

    def require_user(self) -> User:
        if self.user is None:
            path = self.request.url.path
            if self.request.url.query:
                path += "?" + self.request.url.query
            raise LoginRequired(path)
        return self.user

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        language = values.pop("language", self.language)
        flash = self.cookie(FLASH_COOKIE)
        html = environment.get_template(template).render(
            request=self.request,
            user=self.user,
            csrf_token=csrf_token(self.request),
            language=language,
            dir=direction(language),
            _=translator(language),
            ngettext=plural(language),
            flash=unquote(flash)[:300] if flash else None,
            **values,
        )
        response = HTMLResponse(html, status_code=status_code)
        if flash:
            self.delete_cookie(response, FLASH_COOKIE)
        return response

    def redirect(self, url: str, *, done: str | None = None) -> RedirectResponse:
        """Post/redirect/get: answer a form with 303 to the page to show next.

        ``done`` is a confirmation shown once on that page. It travels in a short-lived
        cookie rather than the URL, so nobody can craft a link that shows our page saying
        something we never said.
        """
        response = RedirectResponse(url, status_code=303)
        if done:
            self.set_cookie(response, FLASH_COOKIE, quote(done), max_age=60)
        return response


def _page_context(request: Request) -> Iterator[PageContext]:
    platform = platform_of(request)
    with UnitOfWork(platform.database) as work:
        token = read_cookie(request, SESSION_COOKIE)
        user = user_for_login_session(work.session, token) if token else None
        yield PageContext(request=request, platform=platform, work=work, user=user)


@dataclass
class ApiContext:
    """Who is calling the API: a facilitator (``tt_`` token) or a participant (``tp_``)."""

    request: Request
    platform: Platform
    work: UnitOfWork
    user: User | None
    participant: Participant | None = None

    @property
    def db(self) -> Session:
        return self.work.session

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


def _api_context(request: Request) -> Iterator[ApiContext]:
    platform = platform_of(request)
    with UnitOfWork(platform.database) as work:
        db = work.session
        token = bearer_token(request)
        user = participant = None
        if token and token.startswith("tp_"):
            participant = participant_for_secret(db, token)
        elif token:
            user = user_for_api_token(db, token)
        if token and user is None and participant is None:
            raise NotAuthenticated("The API token is not valid (unknown or revoked).")
        db.commit()  # keep the token's last-used time even if the request then fails
        yield ApiContext(
            request=request, platform=platform, work=work, user=user, participant=participant
        )


# The unit of work ends when the route returns - before the response is sent, so that a
# failed commit is an error response and never a success that was not saved.
page_context = Depends(_page_context, scope="function")
api_context = Depends(_api_context, scope="function")
