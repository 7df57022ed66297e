"""The errors a user can act on.

Every error tracktwo raises on purpose carries one sentence that says what was wrong and what
to do. The web layer turns them into 4xx responses, the CLI into exit code 2; anything else
is a bug and is reported without a traceback.
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "TooManyRequests",
    "TracktwoError",
]


class TracktwoError(Exception):
    """Base class. ``str(error)`` is the one-sentence message shown to the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(TracktwoError, ValueError):
    """The input is malformed or out of range (HTTP 400, CLI exit 2)."""

    status_code = 400


class NotFound(TracktwoError, LookupError):
    """The thing asked for does not exist, or the actor may not know that it does (HTTP 404)."""

    status_code = 404


class NotAuthenticated(TracktwoError):
    """No valid sign-in or token came with the request (HTTP 401)."""

    status_code = 401


class TooManyRequests(TracktwoError):
    """Too many attempts in a short time, e.g. wrong passwords (HTTP 429)."""

    status_code = 429


class PermissionDenied(TracktwoError):
    """The actor is known but lacks the role for this action (HTTP 403)."""

    status_code = 403


class Conflict(TracktwoError):
    """The request clashes with the current state, e.g. a duplicate or a closed step (HTTP 409)."""

    status_code = 409
