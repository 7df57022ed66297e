"""Accounts, sign-in sessions, API tokens and invitations, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracktwo.common.accounts import actions as accounts
from tracktwo.common.accounts.models import ApiToken, User
from tracktwo.common.initiatives.models import Membership, Role
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.store.platform import Platform

PASSWORD = "a long enough password"


def test_passwords_are_stored_as_argon2id_hashes(platform: Platform) -> None:
    with platform.database.transaction() as db:
        user = accounts.create_user(db, email="Amal@Example.org", password=PASSWORD)
    assert user.email == "amal@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_sign_in_needs_the_right_password(platform: Platform) -> None:
    with platform.database.transaction() as db:
        accounts.create_user(db, email="a@example.org", password=PASSWORD)
    with platform.database.transaction() as db:
        assert accounts.authenticate(db, " A@example.org ", PASSWORD).email == "a@example.org"
        with pytest.raises(PermissionDenied, match="email or password is not right"):
            accounts.authenticate(db, "a@example.org", PASSWORD + "!")
        with pytest.raises(PermissionDenied, match="email or password is not right"):
            accounts.authenticate(db, "nobody@example.org", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", PASSWORD, "is not an email address"),
        ("", PASSWORD, "An empty email"),
        ("b@example.org", "short", "at least 10 characters"),
    ],
)
def test_bad_account_details_are_refused(
    platform: Platform, email: str, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), platform.database.transaction() as db:
        accounts.create_user(db, email=email, password=password)


def test_a_duplicate_email_is_a_conflict(platform: Platform) -> None:
    with platform.database.transaction() as db:
        accounts.create_user(db, email="dup@example.org", password=PASSWORD)
    with pytest.raises(Conflict, match="already exists"), platform.database.transaction() as db:
        accounts.create_user(db, email="DUP@example.org", password=PASSWORD)


def test_login_sessions_end_and_do_not_store_the_cookie(platform: Platform) -> None:
    with platform.database.transaction() as db:
        user = accounts.create_user(db, email="s@example.org", password=PASSWORD)
        cookie = accounts.start_login_session(db, user, days=1)
    with platform.database.transaction() as db:
        assert accounts.user_for_login_session(db, cookie) is not None
        assert accounts.user_for_login_session(db, cookie + "x") is None
        accounts.end_login_session(db, cookie)
    with platform.database.transaction() as db:
        assert accounts.user_for_login_session(db, cookie) is None


def test_api_tokens_work_until_revoked_and_only_their_hash_is_kept(platform: Platform) -> None:
    with platform.database.transaction() as db:
        user = accounts.create_user(db, email="t@example.org", password=PASSWORD)
        issued = accounts.create_api_token(db, user, "notebook")
    assert issued.secret.startswith("tt_")
    with platform.database.transaction() as db:
        stored = db.get(ApiToken, issued.record_id)
        assert stored is not None and issued.secret != stored.token_hash
        owner = accounts.user_for_api_token(db, issued.secret)
        assert owner is not None and owner.email == "t@example.org"
        accounts.revoke_api_token(db, owner, issued.record_id)
    with platform.database.transaction() as db:
        assert accounts.user_for_api_token(db, issued.secret) is None
        user = db.scalar(select(User).where(User.email == "t@example.org"))
        assert user is not None
        with pytest.raises(NotFound):
            accounts.revoke_api_token(db, user, issued.record_id)


def test_changing_the_password_signs_out_everywhere(platform: Platform) -> None:
    with platform.database.transaction() as db:
        user = accounts.create_user(db, email="p@example.org", password=PASSWORD)
        cookie = accounts.start_login_session(db, user, days=1)
        accounts.set_password(db, user, "another long password")
    with platform.database.transaction() as db:
        assert accounts.user_for_login_session(db, cookie) is None
        assert accounts.authenticate(db, "p@example.org", "another long password")


def test_an_invitation_creates_the_account_and_membership_once(platform: Platform) -> None:
    from tracktwo.common.initiatives.actions import create_initiative

    with platform.database.transaction() as db:
        owner = accounts.create_user(db, email="o@example.org", password=PASSWORD)
        initiative = create_initiative(db, owner, name="I", sides=["A", "B"])
        issued = accounts.invite_account(
            db,
            email="new@example.org",
            invited_by=owner,
            initiative_id=initiative.id,
            role=Role.OBSERVER,
        )
    with platform.database.transaction() as db:
        user = accounts.accept_invitation(db, issued.secret, password=PASSWORD, display_name="N")
    with platform.database.transaction() as db:
        membership = db.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership is not None and membership.role == Role.OBSERVER
        with pytest.raises(NotFound, match="not valid any more"):
            accounts.accept_invitation(db, issued.secret, password=PASSWORD, display_name="N")
