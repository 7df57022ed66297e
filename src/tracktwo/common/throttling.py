"""Slowing down password guessing without letting anyone lock the owner out.

The old limit (10 failures per email or per address in 15 minutes, then refuse even the right
password) let anyone lock a facilitator out by typing their email ten times, or everyone
behind one NAT address; it trusted a spoofable ``X-Forwarded-For`` and kept its counts in one
process's memory. The policy here instead:

- counts failures per **(account, client)** pair, where the client is the browser's *device
  cookie* for that account when it has one (set after a successful sign-in) and its address
  otherwise. Someone guessing from elsewhere therefore never slows down the owner on their
  own device, and one guesser behind a NAT does not slow down their neighbours;
- after a few free failures, makes each further attempt wait **exponentially** longer
  (``first_delay * 2**n``, capped at ``max_delay``) instead of refusing outright; while a
  wait runs the password is not even checked, so guessing gets nothing from speed;
- adds two wider rules that only apply to clients without a device cookie of the account:
  many failures on one account from anywhere (a distributed guess), and many failures from
  one address over any accounts (a credential-stuffing run);
- forgets a count after a day without failures, and resets the pair on success;
- offers a **sign-in link** (one use, short-lived, issued by the server's administrator with
  ``tracktwo user sign-in-link EMAIL``) as the way back in that no throttle stands in front
  of; it also gives that browser a device cookie.

This module is the policy alone (pure, so it is easy to reason about and test). The counts
live in the database, shared by every server process, and the keys are stored only as
HMACs under the server's key, so no email or address is kept in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

__all__ = [
    "ACCOUNT_RULE",
    "ADDRESS_RULE",
    "FORGET_AFTER",
    "PAIR_RULE",
    "Rule",
    "ThrottleKey",
    "keys_for_attempt",
]

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """How many failures are free, and how the wait grows after them."""

    name: str
    free_failures: int
    first_delay: timedelta
    max_delay: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """The wait before the next attempt once ``failures`` have been counted."""
        over = failures - self.free_failures
        if over < 0:
            return timedelta(0)
        # 2**over grows past any cap quickly; stop doubling once it is reached.
        seconds = self.first_delay.total_seconds() * 2 ** min(over, 40)
        return min(self.max_delay, timedelta(seconds=seconds))


PAIR_RULE = Rule("account and client", 5, timedelta(seconds=1), timedelta(minutes=15))
ACCOUNT_RULE = Rule("account", 30, timedelta(seconds=2), timedelta(minutes=15))
ADDRESS_RULE = Rule("address", 100, timedelta(seconds=1), timedelta(minutes=15))


@dataclass(frozen=True)
class ThrottleKey:
    """One counter: its rule, and the digest it is stored under."""

    rule: Rule
    digest: str


def _digest(key: bytes, *parts: str) -> str:
    message = "\x1f".join(f"{len(part)}:{part}" for part in parts).encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def keys_for_attempt(
    key: bytes, *, account: str, address: str, device: str | None
) -> tuple[ThrottleKey, ...]:
    """The counters a sign-in attempt is checked against and counted in.

    ``account`` is the normalised email typed, ``address`` the client address (from
    :func:`tracktwo.web.client_address.client_address`), ``device`` the id in a valid device
    cookie *for this account*, or None.
    """
    if device is not None:
        return (ThrottleKey(PAIR_RULE, _digest(key, "device", account, device)),)
    return (
        ThrottleKey(PAIR_RULE, _digest(key, "pair", account, address)),
        ThrottleKey(ACCOUNT_RULE, _digest(key, "account", account)),
        ThrottleKey(ADDRESS_RULE, _digest(key, "address", address)),
    )
