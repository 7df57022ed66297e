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

The counts live in the ``sign_in_throttle`` table, shared by every server process, and the
keys are stored only as HMACs under the server's key, so no email or address is kept in
clear. An attempt is first *reserved*, in a short transaction of its own: if any of its
counters is still waiting, the attempt is refused without looking at the password; otherwise
every counter is raised as if the attempt failed, and the wait it earns is set. Only then is
the password checked; a success undoes the reservation. Reserving before checking means a
burst of parallel guesses is counted as it arrives (the rows are locked: row locks on
PostgreSQL, the write lock on SQLite), not after they all got through.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import SignInThrottle
from tracktwo.store.base import utcnow
from tracktwo.store.db import Database

__all__ = [
    "ACCOUNT_RULE",
    "ADDRESS_RULE",
    "FORGET_AFTER",
    "PAIR_RULE",
    "Rule",
    "ThrottleKey",
    "attempt_succeeded",
    "forget_old_counts",
    "keys_for_attempt",
    "reserve_attempt",
    "throttle_key",
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


def throttle_key(secret_key: str) -> bytes:
    """The key the counters' names are HMACs under, derived from the server's secret key."""
    return hmac.new(secret_key.encode(), b"tracktwo sign-in throttle", hashlib.sha256).digest()


def _ensure_rows(db: Session, digests: Sequence[str], now: datetime) -> None:
    rows = [{"key": d, "failures": 0, "last_failure_at": now, "wait_until": now} for d in digests]
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.execute(insert(SignInThrottle).values(rows).on_conflict_do_nothing())


def reserve_attempt(
    database: Database, keys: Sequence[ThrottleKey], *, now: datetime | None = None
) -> timedelta:
    """How long this client must wait before trying (zero: go ahead, the attempt is counted)."""
    now = now or utcnow()
    by_digest = {key.digest: key for key in keys}
    with database.transaction() as db:
        _ensure_rows(db, list(by_digest), now)
        rows = db.scalars(
            select(SignInThrottle)
            .where(SignInThrottle.key.in_(by_digest))
            .order_by(SignInThrottle.key)
            .with_for_update()
        ).all()
        for row in rows:
            if row.last_failure_at < now - FORGET_AFTER:  # a day of quiet: start afresh
                row.failures, row.wait_until = 0, now
        wait = max((row.wait_until - now for row in rows), default=timedelta(0))
        if wait > timedelta(0):
            return wait
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
            row.wait_until = now + by_digest[row.key].rule.delay_after(row.failures)
    return timedelta(0)


def attempt_succeeded(
    database: Database, keys: Sequence[ThrottleKey], *, now: datetime | None = None
) -> None:
    """The password was right: clear the pair's count, take back the wider counts' reservation."""
    now = now or utcnow()
    with database.transaction() as db:
        pairs = [key.digest for key in keys if key.rule is PAIR_RULE]
        db.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(pairs)))
        wider = [key.digest for key in keys if key.rule is not PAIR_RULE]
        for row in db.scalars(
            select(SignInThrottle).where(SignInThrottle.key.in_(wider)).with_for_update()
        ):
            row.failures = max(0, row.failures - 1)
            row.wait_until = min(row.wait_until, now)


def forget_old_counts(database: Database, *, now: datetime | None = None) -> int:
    """Remove counters quiet for a day (they would start afresh anyway); returns how many."""
    now = now or utcnow()
    with database.transaction() as db:
        result = db.execute(
            delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - FORGET_AFTER)
        )
    return int(getattr(result, "rowcount", 0) or 0)
