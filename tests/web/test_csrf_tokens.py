"""Signed, session-bound CSRF tokens: only the server makes them, each fits one session."""

from __future__ import annotations

import pytest

from tracktwo.web.csrf import (
    CSRF_COOKIE,
    CSRF_COOKIE_SECURE,
    csrf_cookie_name,
    csrf_key,
    new_nonce,
    nonce_is_plausible,
    session_binding,
    token_for,
    token_is_valid,
)

SESSIONS = ("tt_session", "tt_p")
KEY = csrf_key("server secret")


def test_the_cookie_has_the_host_prefix_exactly_when_cookies_are_secure() -> None:
    assert csrf_cookie_name(secure=True) == CSRF_COOKIE_SECURE == "__Host-tt_csrf"
    assert csrf_cookie_name(secure=False) == CSRF_COOKIE == "tt_csrf"


def test_a_token_is_valid_for_its_nonce_and_session_only() -> None:
    nonce = new_nonce()
    mine = session_binding({"tt_session": "alice", "tt_lang": "ar"}, SESSIONS)
    token = token_for(KEY, nonce, mine)
    assert token_is_valid(KEY, nonce, mine, token)
    theirs = session_binding({"tt_session": "mallory"}, SESSIONS)
    assert not token_is_valid(KEY, nonce, theirs, token)
    assert not token_is_valid(KEY, new_nonce(), mine, token)
    assert not token_is_valid(csrf_key("another server"), nonce, mine, token)


def test_the_attack_that_passed_before_fails_now() -> None:
    """An attacker plants cookie = field = any long string: no longer enough."""
    planted = "A" * 43
    assert nonce_is_plausible(planted)
    assert not token_is_valid(KEY, planted, "", planted)
    # Nor does a pair the attacker obtained for their own session transfer to the victim's.
    own = token_for(KEY, planted, session_binding({"tt_session": "attacker"}, SESSIONS))
    victim = session_binding({"tt_session": "victim"}, SESSIONS)
    assert not token_is_valid(KEY, planted, victim, own)


def test_the_binding_covers_every_session_cookie_and_nothing_else() -> None:
    base = {"tt_session": "s", "tt_p4": "participant four"}
    binding = session_binding(base, SESSIONS)
    assert binding == session_binding({**base, "tt_lang": "he", "tt_flash": "x"}, SESSIONS)
    assert binding != session_binding({**base, "tt_p9": "joined another"}, SESSIONS)
    assert binding != session_binding({"tt_session": "s"}, SESSIONS)
    assert session_binding({"tt_lang": "en"}, SESSIONS) == ""
    # Names and values are length-prefixed: shifting text from one to the other changes it.
    assert session_binding({"tt_pa": "b"}, SESSIONS) != session_binding({"tt_p": "ab"}, SESSIONS)


@pytest.mark.parametrize(
    "nonce", [None, "", "short", "x" * 200, "A" * 40 + "\x00", "A" * 40 + "é", "A" * 40 + "=="]
)
def test_implausible_nonces_are_replaced_not_trusted(nonce: str | None) -> None:
    assert not nonce_is_plausible(nonce)
    assert not token_is_valid(KEY, nonce, "", token_for(KEY, nonce or "", ""))


@pytest.mark.parametrize("sent", [None, "", "0" * 63, "0" * 65, "é" * 64])
def test_malformed_tokens_are_refused(sent: str | None) -> None:
    assert not token_is_valid(KEY, new_nonce(), "", sent)
