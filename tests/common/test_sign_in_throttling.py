"""Sign-in throttling: the attacker is slowed, the owner still gets in, every process agrees.

Run on SQLite and PostgreSQL: the counts live in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import delete, func, select

from tests.conftest import PASSWORD, WebClient, create_account, make_client
from tracktwo.common.accounts.actions import create_sign_in_link
from tracktwo.common.accounts.models import SignInThrottle
from tracktwo.common.accounts.throttling import (
    ACCOUNT_RULE,
    PAIR_RULE,
    keys_for_attempt,
    reserve_attempt,
    throttle_key,
)
from tracktwo.store.base import utcnow
from tracktwo.store.platform import Platform
from tracktwo.web.csrf import csrf_key, session_binding, token_for
from tracktwo.web.security import SESSION_COOKIE_PREFIXES

EMAIL = "amal@example.org"
ATTACKER = "192.0.2.66"
HOME = "192.0.2.10"  # the owner's address


def _exhaust(platform: Platform, *, address: str = ATTACKER, account: str = EMAIL) -> None:
    """Fail from ``address`` as often as allowed until the wait is at its longest (15 minutes),
    stepping the clock from one allowed moment to the next, so no test depends on timing."""
    key = throttle_key(platform.settings.resolved_secret_key)
    keys = keys_for_attempt(key, account=account, address=address, device=None)[:1]
    with platform.database.transaction() as db:  # start from a clean count
        db.execute(delete(SignInThrottle).where(SignInThrottle.key == keys[0].digest))
    moment = utcnow() - timedelta(hours=3)
    for _ in range(PAIR_RULE.free_failures + 12):
        assert reserve_attempt(platform.database, keys, now=moment) == timedelta(0)
        with platform.database.transaction() as db:
            row = db.get(SignInThrottle, keys[0].digest)
            assert row is not None
            moment = row.wait_until
    with platform.database.transaction() as db:  # the last failure: just now
        row = db.get(SignInThrottle, keys[0].digest)
        assert row is not None
        row.last_failure_at = utcnow()
        row.wait_until = utcnow() + PAIR_RULE.max_delay


def _fail(web: WebClient, *, email: str = EMAIL, **headers: str) -> httpx.Response:
    return web.submit("/login", {"email": email, "password": "not the password"}, headers=headers)


def _sign_in(web: WebClient, **headers: str) -> httpx.Response:
    return web.submit(
        "/login", {"email": EMAIL, "password": PASSWORD}, headers=headers, follow_redirects=False
    )


@pytest.fixture
def owner(platform: Platform) -> Iterator[WebClient]:
    """The account's owner, signed in once on their own device (so it holds a device cookie)."""
    create_account(platform, EMAIL, "Amal")
    with make_client(platform, address=HOME) as web:
        assert _sign_in(web).status_code == 303
        web.submit("/logout")
        yield web


def test_the_attacker_is_slowed_after_five_free_failures(
    platform: Platform, owner: WebClient
) -> None:
    with make_client(platform, address=ATTACKER) as attacker:
        assert [_fail(attacker).status_code for _ in range(5)] == [401] * 5
        key = throttle_key(platform.settings.resolved_secret_key)
        pair = keys_for_attempt(key, account=EMAIL, address=ATTACKER, device=None)[:1]
        with platform.database.transaction() as db:
            row = db.get(SignInThrottle, pair[0].digest)
            assert row is not None and row.failures == 5
            assert row.wait_until - row.last_failure_at == timedelta(seconds=1)
        _exhaust(platform)
        refused = _fail(attacker)
        assert refused.status_code == 429
        assert "Too many failed sign-ins for this account from here" in refused.text
        assert "15 minutes" in refused.text
        assert 800 <= int(refused.headers["retry-after"]) <= 900
        # While the wait runs even the right password is not tried: guessing gains nothing.
        assert _sign_in(attacker).status_code == 429


def test_the_owner_on_their_device_gets_in_while_the_attacker_waits(
    platform: Platform, owner: WebClient
) -> None:
    _exhaust(platform, address=HOME)  # the owner's own address: think of a NAT
    with make_client(platform, address=HOME) as attacker:
        assert _fail(attacker).status_code == 429
    assert _sign_in(owner).status_code == 303
    assert owner.get("/account").status_code == 200


def test_a_neighbour_behind_the_same_address_is_not_slowed(platform: Platform) -> None:
    create_account(platform, "bashir@example.org")
    _exhaust(platform)
    with (
        make_client(platform, address=ATTACKER) as attacker,
        make_client(platform, address=ATTACKER) as neighbour,
    ):
        assert _fail(attacker).status_code == 429
        answer = neighbour.submit(
            "/login",
            {"email": "bashir@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 303


def test_a_distributed_guess_slows_unknown_devices_but_not_the_owner(
    platform: Platform, owner: WebClient
) -> None:
    key = throttle_key(platform.settings.resolved_secret_key)
    now = utcnow()
    # Thirty addresses, each within its free failures, reach the account-wide limit.
    for n in range(ACCOUNT_RULE.free_failures):
        keys = keys_for_attempt(key, account=EMAIL, address=f"198.51.100.{n}", device=None)
        assert reserve_attempt(platform.database, keys, now=now) == timedelta(0)
    fresh = keys_for_attempt(key, account=EMAIL, address="203.0.113.1", device=None)
    assert reserve_attempt(platform.database, fresh, now=now) > timedelta(0)
    # A new browser is slowed too ...
    with make_client(platform) as stranger:
        assert _sign_in(stranger).status_code == 429
    # ... but the owner's own device has a counter of its own.
    assert _sign_in(owner).status_code == 303


def test_waits_grow_exponentially_and_are_forgotten_after_a_day(platform: Platform) -> None:
    key = throttle_key(platform.settings.resolved_secret_key)
    keys = keys_for_attempt(key, account=EMAIL, address="192.0.2.9", device=None)[:1]
    start = utcnow()
    moment = start
    waits = []
    for _ in range(PAIR_RULE.free_failures + 4):
        wait = reserve_attempt(platform.database, keys, now=moment)
        assert wait == timedelta(0)  # each attempt comes exactly when allowed
        with platform.database.transaction() as db:
            row = db.get(SignInThrottle, keys[0].digest)
            assert row is not None
            waits.append(row.wait_until - moment)
            moment = row.wait_until
    seconds = [w.total_seconds() for w in waits]
    assert seconds == [0, 0, 0, 0, 1, 2, 4, 8, 16]
    assert reserve_attempt(platform.database, keys, now=moment - timedelta(seconds=1)) > timedelta(
        0
    )
    later = moment + timedelta(days=1, seconds=1)
    assert reserve_attempt(platform.database, keys, now=later) == timedelta(0)
    with platform.database.transaction() as db:
        row = db.get(SignInThrottle, keys[0].digest)
        assert row is not None and row.failures == 1


def test_a_sign_in_link_is_the_way_back_in(platform: Platform) -> None:
    create_account(platform, EMAIL)
    _exhaust(platform)
    with make_client(platform, address=ATTACKER) as newcomer:
        assert _sign_in(newcomer).status_code == 429  # a new device, same address: slowed
        with platform.database.transaction() as db:
            link = create_sign_in_link(db, EMAIL).secret
        page = newcomer.get(f"/sign-in/{link}")
        assert page.status_code == 200 and EMAIL in page.text  # opening it does not use it
        assert page.headers["cache-control"] == "no-store"
        used = newcomer.submit(f"/sign-in/{link}", follow_redirects=False)
        assert used.status_code == 303 and newcomer.get("/account").status_code == 200
        again = newcomer.submit(f"/sign-in/{link}")
        assert again.status_code == 404 and "not valid any more" in again.text
        # The link left a device cookie: from now on this browser signs in on its own counter.
        newcomer.submit("/logout")
        assert _sign_in(newcomer).status_code == 303


@pytest.mark.parametrize("trusted", ["", "10.0.0.0/8"], ids=["no proxy", "behind our proxy"])
def test_forwarded_headers_count_only_from_trusted_proxies(
    database_url: str, tmp_path: Path, trusted: str
) -> None:
    from tests.conftest import _platform

    platform = _platform(database_url, tmp_path, trusted_proxies=trusted)
    create_account(platform, EMAIL)
    # The connection comes from 10.0.0.1 (our proxy, when it is trusted); every request
    # claims a new client address.
    _exhaust(platform, address="10.0.0.1")
    with make_client(platform, address="10.0.0.1") as web:
        status = _fail(web, **{"X-Forwarded-For": "203.0.113.7"}).status_code
    platform.close()
    if trusted:  # the proxy vouches for the client: a client with failures of its own
        assert status == 401
    else:  # spoofing the header gains nothing: the connection's address is counted
        assert status == 429


def test_nothing_is_stored_in_clear(platform: Platform, owner: WebClient) -> None:
    with make_client(platform, address=ATTACKER) as attacker:
        _fail(attacker)
    with platform.database.transaction() as db:
        keys = list(db.scalars(select(SignInThrottle.key)))
        assert keys and db.scalar(select(func.count()).select_from(SignInThrottle)) == len(keys)
    assert all(len(k) == 64 and "amal" not in k and "192" not in k for k in keys)


def _token(client: httpx.Client, secret: str) -> str:
    nonce = client.cookies.get("tt_csrf")
    assert nonce
    jar = {cookie.name: cookie.value or "" for cookie in client.cookies.jar}
    return token_for(csrf_key(secret), nonce, session_binding(jar, SESSION_COOKIE_PREFIXES))


@pytest.mark.slow
def test_two_server_processes_share_the_counts(database_url: str, tmp_path: Path) -> None:
    from tests.conftest import _platform
    from tests.harness.servers import serving

    platform = _platform(database_url, tmp_path)
    create_account(platform, EMAIL)
    platform.close()
    secret = "test-secret-key-not-for-production"
    env = {
        "TRACKTWO_DATABASE_URL": database_url,
        "TRACKTWO_DATA_DIR": str(tmp_path / "data"),
        "TRACKTWO_SECRET_KEY": secret,
        "TRACKTWO_IN_PROCESS_WORKER": "false",
    }
    with (
        serving(env, tmp_path / "a.log") as first,
        serving(env, tmp_path / "b.log") as second,
        httpx.Client(base_url=first) as on_first,
        httpx.Client(base_url=second) as on_second,
    ):
        for client in (on_first, on_second):
            client.get("/login")

        def fail(client: httpx.Client) -> int:
            form = {"email": EMAIL, "password": "wrong", "csrf_token": _token(client, secret)}
            return client.post("/login", data=form).status_code

        assert [fail(on_first) for _ in range(3)] == [401] * 3
        assert [fail(on_second) for _ in range(2)] == [401] * 2
        check = _platform(database_url, tmp_path / "check")
        with check.database.transaction() as db:
            counts = sorted(db.scalars(select(SignInThrottle.failures)))
        assert counts == [5, 5, 5]  # pair, account, address: both processes counted together
        _exhaust(check, address="127.0.0.1")  # a wait set once, in the shared table ...
        check.close()
        assert fail(on_first) == 429  # ... is seen by both processes
        assert fail(on_second) == 429
        response = on_second.get("/login")
        assert "server" not in response.headers
