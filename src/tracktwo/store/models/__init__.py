"""All models, imported here so that ``Base.metadata`` knows every table (Alembic needs it)."""

from tracktwo.store.models.accounts import AccountInvitation, ApiToken, LoginSession, User
from tracktwo.store.models.base import Base, utcnow
from tracktwo.store.models.initiatives import Initiative, Membership, Role, Side

__all__ = [
    "AccountInvitation",
    "ApiToken",
    "Base",
    "Initiative",
    "LoginSession",
    "Membership",
    "Role",
    "Side",
    "User",
    "utcnow",
]
