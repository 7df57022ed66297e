"""All models, imported here so that ``Base.metadata`` knows every table (Alembic needs it)."""

from tracktwo.store.models.accounts import AccountInvitation, ApiToken, LoginSession, User
from tracktwo.store.models.base import Base, utcnow
from tracktwo.store.models.dialogues import (
    AnalysisSnapshot,
    Dialogue,
    DialogueMembership,
    DialogueState,
    InvitationLink,
    Moderation,
    Statement,
    StatementState,
    StatementTranslation,
    Vote,
)
from tracktwo.store.models.initiatives import Initiative, Membership, Role, Side
from tracktwo.store.models.jobs import Job
from tracktwo.store.models.participants import Participant
from tracktwo.store.models.surveys import (
    Survey,
    SurveyLink,
    SurveyReport,
    SurveyRespondent,
    SurveyResponse,
    SurveyTranslation,
    SurveyWave,
    WaveState,
)

__all__ = [
    "AccountInvitation",
    "AnalysisSnapshot",
    "ApiToken",
    "Base",
    "Dialogue",
    "DialogueMembership",
    "DialogueState",
    "Initiative",
    "InvitationLink",
    "Job",
    "LoginSession",
    "Membership",
    "Moderation",
    "Participant",
    "Role",
    "Side",
    "Statement",
    "StatementState",
    "StatementTranslation",
    "Survey",
    "SurveyLink",
    "SurveyReport",
    "SurveyRespondent",
    "SurveyResponse",
    "SurveyTranslation",
    "SurveyWave",
    "User",
    "Vote",
    "WaveState",
    "utcnow",
]
