"""Facilitator accounts: creating them, signing in, sessions, API tokens and invitations."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import (
    AccountInvitation,
    ApiToken,
    LoginSession,
    SignInLink,
    User,
)
from tracktwo.common.initiatives.models import Membership, Role
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.kernel.text import clean_text, excerpt, is_plain_token, refuse_controls
from tracktwo.kernel.tokens import hash_secret, new_secret
from tracktwo.store.base import utcnow

__all__ = [
    "IssuedSecret",
    "accept_invitation",
    "account_id",
    "authenticate",
    "create_api_token",
    "create_sign_in_link",
    "create_user",
    "end_login_session",
    "invitation_for_token",
    "invite_account",
    "list_api_tokens",
    "normalise_email",
    "revoke_api_token",
    "set_password",
    "sign_in_link_for_token",
    "start_login_session",
    "use_sign_in_link",
    "user_for_api_token",
    "user_for_login_session",
]

MIN_PASSWORD_LENGTH = 10
INVITATION_DAYS = 7
SIGN_IN_LINK_HOURS = 1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when the email is unknown makes a failed sign-in take as long
# whether or not the account exists, so timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class IssuedSecret:
    """A secret shown to its owner exactly once (only its hash is stored)."""

    secret: str
    record_id: int


def normalise_email(email: str) -> str:
    """The address lower-cased, or :class:`InvalidInput` (controls, no ``@``, over 254)."""
    refuse_controls(email, "email address")
    email = email.strip().lower()
    if len(email) > 254:
        raise InvalidInput("The email address is too long (at most 254 characters).")
    if not _EMAIL.match(email):
        raise InvalidInput(f"{excerpt(email) or 'An empty email'!r} is not an email address.")
    return email


def _check_password(password: str) -> None:
    refuse_controls(password, "password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise InvalidInput("The password is too long (more than 1024 characters).")


def create_user(db: Session, *, email: str, password: str, display_name: str = "") -> User:
    email = normalise_email(email)
    _check_password(password)
    display_name = clean_text(display_name, "display name", 120, required=False)
    display_name = display_name or email.split("@")[0]
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"An account with the email {email} already exists.")
    user = User(email=email, display_name=display_name, password_hash=_hasher.hash(password))
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    # A new password signs every other device out.
    db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def account_id(db: Session, email: str) -> int | None:
    """The id of the active account with this (normalised) email, if there is one."""
    return db.scalar(select(User.id).where(User.email == email, User.is_active.is_(True)))


def authenticate(db: Session, email: str, password: str) -> User:
    """The user with this email and password, or :class:`PermissionDenied`."""
    wrong = PermissionDenied("The email or password is not right.")
    user = db.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise wrong
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise wrong from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def start_login_session(db: Session, user: User, *, days: int) -> str:
    """Open a sign-in session and return the cookie value (kept by the browser only)."""
    token = new_secret()
    db.add(
        LoginSession(
            token_hash=hash_secret(token), user=user, expires_at=utcnow() + timedelta(days=days)
        )
    )
    db.flush()
    return token


def user_for_login_session(db: Session, token: str) -> User | None:
    if not is_plain_token(token):
        return None
    session = db.scalar(select(LoginSession).where(LoginSession.token_hash == hash_secret(token)))
    if session is None or session.expires_at <= utcnow() or not session.user.is_active:
        return None
    return session.user


def end_login_session(db: Session, token: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token_hash == hash_secret(token)))


def create_api_token(db: Session, user: User, name: str = "") -> IssuedSecret:
    name = clean_text(name, "token name", 120, required=False) or "API token"
    secret = new_secret("tt_")
    token = ApiToken(user=user, name=name, token_hash=hash_secret(secret), prefix=secret[:10])
    db.add(token)
    db.flush()
    return IssuedSecret(secret=secret, record_id=token.id)


def list_api_tokens(db: Session, user: User) -> list[ApiToken]:
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_api_token(db: Session, user: User, token_id: int) -> None:
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(f"You have no active API token with id {token_id}.")
    token.revoked_at = utcnow()


def user_for_api_token(db: Session, secret: str) -> User | None:
    if not is_plain_token(secret):
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user


def invite_account(
    db: Session,
    *,
    email: str,
    invited_by: User | None,
    initiative_id: int | None = None,
    role: Role | None = None,
) -> IssuedSecret:
    """A one-time link for someone without an account, valid for a week.

    With an initiative and a role, using the link also makes the new account a member.
    """
    email = normalise_email(email)
    secret = new_secret()
    invitation = AccountInvitation(
        email=email,
        token_hash=hash_secret(secret),
        invited_by_id=invited_by.id if invited_by else None,
        initiative_id=initiative_id,
        role=role.value if role else None,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.add(invitation)
    db.flush()
    return IssuedSecret(secret=secret, record_id=invitation.id)


def invitation_for_token(db: Session, secret: str) -> AccountInvitation:
    invitation = (
        db.scalar(
            select(AccountInvitation).where(AccountInvitation.token_hash == hash_secret(secret))
        )
        if is_plain_token(secret)
        else None
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise NotFound(
            "This invitation link is not valid any more; ask the person who invited you for a "
            "new one."
        )
    return invitation


def accept_invitation(db: Session, secret: str, *, password: str, display_name: str) -> User:
    invitation = invitation_for_token(db, secret)
    user = create_user(db, email=invitation.email, password=password, display_name=display_name)
    invitation.used_at = utcnow()
    if invitation.initiative_id is not None and invitation.role is not None:
        db.add(
            Membership(
                initiative_id=invitation.initiative_id, user=user, role=Role(invitation.role)
            )
        )
    return user


def create_sign_in_link(
    db: Session, email: str, *, hours: int = SIGN_IN_LINK_HOURS
) -> IssuedSecret:
    """A one-time link that signs the account in without its password, valid for ``hours``.

    For the server's administrator (``tracktwo user sign-in-link``): the way back in for an
    owner whose sign-in is slowed down by someone guessing at it. Earlier unused links of the
    account stop working, so only the newest one is ever valid.
    """
    account = db.scalar(select(User).where(User.email == normalise_email(email)))
    if account is None or not account.is_active:
        raise NotFound(f"There is no active account with the email {normalise_email(email)}.")
    db.execute(
        delete(SignInLink).where(SignInLink.user_id == account.id, SignInLink.used_at.is_(None))
    )
    secret = new_secret()
    link = SignInLink(
        token_hash=hash_secret(secret),
        user=account,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.add(link)
    db.flush()
    return IssuedSecret(secret=secret, record_id=link.id)


def sign_in_link_for_token(db: Session, secret: str) -> SignInLink:
    """The unused, unexpired link with this secret, or :class:`NotFound`."""
    link = (
        db.scalar(select(SignInLink).where(SignInLink.token_hash == hash_secret(secret)))
        if is_plain_token(secret)
        else None
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound(
            "This sign-in link is not valid any more (each works once, for an hour); ask the "
            "administrator for a new one."
        )
    if not link.user.is_active:
        raise NotFound("This account is not active any more.")
    return link


def use_sign_in_link(db: Session, secret: str) -> User:
    """Spend the link: its account, signed in (the caller starts the session)."""
    link = sign_in_link_for_token(db, secret)
    link.used_at = utcnow()
    link.user.last_login_at = utcnow()
    return link.user
