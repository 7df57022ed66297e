"""Security headers, cookies and the CSRF check, as a plain ASGI middleware.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that streamed responses such
as server-sent events pass through untouched.

- **CSRF** (design in :mod:`tracktwo.web.csrf`): every browser gets a random nonce cookie;
  every form carries an HMAC of that nonce and of the sessions the request carries, in a
  hidden ``csrf_token`` field (scripts send it as ``X-CSRF-Token``); :func:`verify_csrf`
  refuses unsafe requests whose token does not fit. The JSON API is exempt: it authenticates
  with bearer tokens, never cookies.
- **Cookies** are named with the ``__Host-`` prefix when ``TRACKTWO_SECURE_COOKIES`` is on
  (:func:`cookie_name`), so no other host, not even a sibling subdomain, can set them; a
  cookie set before under the plain name is still read (:func:`read_cookie`), so switching
  HTTPS on signs nobody out.
- **Headers**: a strict content security policy and friends on every answer; HSTS when
  cookies are Secure (the site is served over HTTPS); ``Cache-Control: no-store`` on every
  page and API answer (static files excepted), since pages carry resume links, invitation
  links, tokens and participants' answers that must not stay in a shared computer's cache;
  and no ``Server`` header.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracktwo.kernel.errors import PermissionDenied
from tracktwo.web.csrf import (
    csrf_cookie_name,
    csrf_key,
    new_nonce,
    nonce_is_plausible,
    session_binding,
    token_for,
    token_is_valid,
)

__all__ = [
    "CSRF_FIELD",
    "CSRF_REFUSED",
    "SESSION_COOKIE_PREFIXES",
    "SecurityMiddleware",
    "cookie_name",
    "csrf_token",
    "read_cookie",
    "request_cookies",
    "streams_its_body",
    "token_fits",
    "verify_csrf",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The cookies that make up "the sessions a request carries": the facilitator's sign-in and
# each participant cookie (tt_p<initiative id>).
SESSION_COOKIE_PREFIXES = ("tt_session", "tt_p")
HOST_PREFIX = "__Host-"
CSRF_REFUSED = (
    "This form could not be accepted because its security token is missing or out of date; "
    "reload the page and try again."
)
HSTS = "max-age=31536000; includeSubDomains"

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


def cookie_name(base: str, secure: bool) -> str:
    """The name a cookie is set under: ``__Host-<base>`` whenever cookies are Secure."""
    return HOST_PREFIX + base if secure else base


def read_cookie(request: Request, base: str) -> str | None:
    """A cookie's value, under its ``__Host-`` name or (set before HTTPS was on) its plain one."""
    return request.cookies.get(HOST_PREFIX + base) or request.cookies.get(base)


def _cookies(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key != b"cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value.decode("latin-1"))
        except Exception:  # a malformed cookie header is the client's problem, not ours
            continue
        found.update({name: morsel.value for name, morsel in jar.items()})
    return found


def request_cookies(scope: Scope) -> dict[str, str]:
    return _cookies(scope)


def streams_its_body(scope: Scope) -> bool:
    """Whether the route reads its own body (an upload) and checks the token itself."""
    endpoint = scope.get("endpoint")
    return bool(getattr(endpoint, "streams_its_body", False))


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, secure_cookies: bool, secret_key: str) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.key = csrf_key(secret_key)
        self.cookie = csrf_cookie_name(secure_cookies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        nonce = cookies.get(self.cookie)
        fresh = not nonce_is_plausible(nonce)
        if fresh:
            nonce = new_nonce()
        assert nonce is not None
        binding = session_binding(cookies, SESSION_COOKIE_PREFIXES)
        state = scope.setdefault("state", {})
        state["csrf_nonce"] = nonce
        state["csrf_binding"] = binding
        state["csrf_token"] = token_for(self.key, nonce, binding)
        state["csrf_key"] = self.key
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if self.secure_cookies:
                    headers.setdefault("strict-transport-security", HSTS)
                if not static:
                    headers["cache-control"] = "no-store"
                if "server" in headers:
                    del headers["server"]
                if fresh:
                    secure = "; Secure" if self.secure_cookies else ""
                    headers.append(
                        "set-cookie",
                        f"{self.cookie}={nonce}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The token this request's forms must carry."""
    return str(request.state.csrf_token)


def token_fits(request: Request, sent: str | None) -> bool:
    """Whether ``sent`` is the CSRF token for this browser's nonce and sessions."""
    state = request.state
    return token_is_valid(state.csrf_key, state.csrf_nonce, state.csrf_binding, sent)


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency for every HTML router: refuse a forged form submission.

    A nonce the middleware had to issue just now cannot have a matching token. Upload routes
    (marked with ``streams_its_body``) check the token themselves while they read the body,
    after their permission check, so it is not read here.
    """
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        if streams_its_body(request.scope):
            return
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not token_fits(request, sent):
        raise PermissionDenied(CSRF_REFUSED)
