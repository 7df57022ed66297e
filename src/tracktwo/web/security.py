"""Security headers and the CSRF cookie, as a plain ASGI middleware.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that streamed responses such
as server-sent events pass through untouched.

CSRF uses the double-submit pattern: every browser gets a random ``tt_csrf`` cookie, every
form carries the same value in a hidden ``csrf_token`` field (JavaScript sends it as the
``X-CSRF-Token`` header), and :func:`verify_csrf` refuses unsafe requests where the two
differ. Another site can make a browser send our cookie but cannot read it to fill the field.
The JSON API is exempt because it authenticates with bearer tokens, never cookies.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracktwo.kernel.errors import PermissionDenied

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "SecurityMiddleware", "csrf_token", "verify_csrf"]

CSRF_COOKIE = "tt_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    # Invitation and resume links carry secrets in their path: never leak them to other sites.
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is the client's problem, not ours
                return None
            if name in jar:
                return jar[name].value
    return None


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _cookie(scope, CSRF_COOKIE)
        fresh = token is None or len(token) < 20
        if fresh:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if fresh:
                    secure = "; Secure" if self.secure_cookies else ""
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    return str(request.state.csrf_token)


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency for every HTML router: refuse a forged form submission."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    cookie = _cookie(request.scope, CSRF_COOKIE)
    if not sent or not cookie or not hmac.compare_digest(sent, cookie):
        raise PermissionDenied(
            "This form could not be accepted because its security token is missing or out of "
            "date; reload the page and try again."
        )
