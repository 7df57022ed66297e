"""Random secrets handed to people, and the hashes we keep instead of them."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["hash_secret", "new_secret"]


def new_secret(prefix: str = "") -> str:
    """A URL-safe secret with 256 bits of randomness, optionally tagged (``tt_``) for scanners."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A fast hash is right here: the secret is random and long, unlike a password.
    # surrogatepass: a lone surrogate sent in JSON hashes like any other text, never raises
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
