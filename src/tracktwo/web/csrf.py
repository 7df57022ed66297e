"""CSRF tokens that only our server can make, each valid for one browser's sessions only.

The old double-submit check accepted any cookie and field that were equal, so whoever could
plant a cookie in a victim's browser (a sibling subdomain, a network on plain HTTP) could
choose both. Now (OWASP's "signed double-submit cookie"):

- the cookie holds a random **nonce** only; it is ``__Host-tt_csrf`` when the site runs over
  HTTPS (``Secure``, ``Path=/``, no ``Domain``: no other host can set or overwrite it), and
  ``tt_csrf`` on plain-HTTP development servers;
- the token in each form (and the ``X-CSRF-Token`` header of scripts) is an HMAC-SHA256, under
  a key derived from the server's secret key, of that nonce **and of the sessions the request
  carries**: the facilitator's sign-in cookie and every participant cookie. A token made for
  one session is worthless in another, and without the server key nobody can make one;
- tokens change when the sessions do (signing in, joining, resuming): a page left open
  across such a change is refused with "reload the page", never silently accepted.

Everything here is pure (no request objects) so it can be tested on its own; the middleware
in ``tracktwo.web.security`` reads the cookies and calls it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

__all__ = [
    "CSRF_COOKIE",
    "CSRF_COOKIE_SECURE",
    "csrf_cookie_name",
    "csrf_key",
    "new_nonce",
    "nonce_is_plausible",
    "session_binding",
    "token_for",
    "token_is_valid",
]

CSRF_COOKIE = "tt_csrf"
CSRF_COOKIE_SECURE = "__Host-tt_csrf"
_NONCE_BYTES = 32
_MIN_NONCE = 32
_MAX_NONCE = 128


def csrf_cookie_name(secure: bool) -> str:
    """The cookie's name: with the ``__Host-`` prefix whenever cookies are Secure."""
    return CSRF_COOKIE_SECURE if secure else CSRF_COOKIE


def csrf_key(secret_key: str) -> bytes:
    """A key for CSRF tokens only, derived from the server's secret key."""
    return hmac.new(secret_key.encode(), b"tracktwo csrf token key", hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(_NONCE_BYTES)


def nonce_is_plausible(nonce: str | None) -> bool:
    """Whether a cookie value could be a nonce we issued (else a new one is issued)."""
    return (
        nonce is not None
        and _MIN_NONCE <= len(nonce) <= _MAX_NONCE
        and nonce.isascii()
        and all(ch.isalnum() or ch in "-_" for ch in nonce)
    )


def session_binding(cookies: Mapping[str, str], session_cookies: tuple[str, ...]) -> str:
    """One digest of the session cookies a request carries (names matched by prefix).

    ``session_cookies`` are name prefixes, e.g. ``("tt_session", "tt_p")``: the facilitator's
    sign-in and each participant cookie. No session at all gives the empty string.
    """
    held = sorted(
        (name, value)
        for name, value in cookies.items()
        if any(name.removeprefix("__Host-").startswith(p) for p in session_cookies)
    )
    if not held:
        return ""
    digest = hashlib.sha256()
    for name, value in held:
        digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode("utf-8", "replace"))
    return digest.hexdigest()


def token_for(key: bytes, nonce: str, binding: str) -> str:
    """The token a form must carry for this nonce and these sessions."""
    message = f"{len(nonce)}!{nonce}!{binding}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def token_is_valid(key: bytes, nonce: str | None, binding: str, sent: str | None) -> bool:
    """Whether ``sent`` is the token for this nonce and these sessions (constant time)."""
    if not nonce_is_plausible(nonce) or not sent or len(sent) != 64 or not sent.isascii():
        return False
    assert nonce is not None
    return hmac.compare_digest(token_for(key, nonce, binding), sent)
