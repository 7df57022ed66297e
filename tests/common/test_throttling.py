"""The throttling policy: exponential waits after free failures, keys that spare the owner."""

from __future__ import annotations

from datetime import timedelta

from tracktwo.common.accounts.throttling import (
    ACCOUNT_RULE,
    ADDRESS_RULE,
    PAIR_RULE,
    Rule,
    keys_for_attempt,
)

KEY = b"k" * 32


def test_waits_start_after_the_free_failures_and_double_up_to_the_cap() -> None:
    rule = Rule("test", 3, timedelta(seconds=1), timedelta(seconds=60))
    waits = [rule.delay_after(n).total_seconds() for n in range(12)]
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert rule.delay_after(10**9) == timedelta(seconds=60)


def test_a_device_cookie_puts_the_owner_on_a_counter_of_their_own() -> None:
    with_device = keys_for_attempt(KEY, account="a@x.org", address="1.2.3.4", device="d1")
    assert [k.rule for k in with_device] == [PAIR_RULE]
    anonymous = keys_for_attempt(KEY, account="a@x.org", address="1.2.3.4", device=None)
    assert [k.rule for k in anonymous] == [PAIR_RULE, ACCOUNT_RULE, ADDRESS_RULE]
    assert with_device[0].digest not in {k.digest for k in anonymous}


def test_neighbours_behind_one_address_do_not_share_a_pair_counter() -> None:
    alice = keys_for_attempt(KEY, account="alice@x.org", address="1.2.3.4", device=None)
    bob = keys_for_attempt(KEY, account="bob@x.org", address="1.2.3.4", device=None)
    assert alice[0].digest != bob[0].digest
    assert alice[2].digest == bob[2].digest  # the address rule is shared, and far wider
    assert ADDRESS_RULE.free_failures > 10 * PAIR_RULE.free_failures


def test_keys_are_keyed_digests_with_nothing_in_clear() -> None:
    keys = keys_for_attempt(KEY, account="alice@x.org", address="1.2.3.4", device=None)
    other = keys_for_attempt(b"other key", account="alice@x.org", address="1.2.3.4", device=None)
    for key in keys:
        assert len(key.digest) == 64 and "alice" not in key.digest
    assert {k.digest for k in keys}.isdisjoint(k.digest for k in other)
