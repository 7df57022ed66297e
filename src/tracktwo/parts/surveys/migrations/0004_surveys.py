"""surveys: instruments, waves, links, respondents, responses, translations, reports

Revision ID: 0004_surveys
Revises: 0002_dialogues
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_surveys"
down_revision = "0002_dialogues"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "instruments", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_surveys_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_surveys_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("side_id", sa.Integer(), nullable=True),
        sa.Column("comparison", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_survey_links_side_id_sides"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_links_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
        sa.UniqueConstraint("token", name=op.f("uq_survey_links_token")),
    )
    with op.batch_alter_table("survey_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_links_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("min_cell", sa.Integer(), nullable=False),
        sa.Column(
            "report", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("computed_in_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_reports_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_reports")),
        sa.UniqueConstraint(
            "survey_id", "fingerprint", name=op.f("uq_survey_reports_survey_id_fingerprint")
        ),
    )
    with op.batch_alter_table("survey_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_reports_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("translated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_translations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translated_by_id"],
            ["users.id"],
            name=op.f("fk_survey_translations_translated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_translations")),
        sa.UniqueConstraint(
            "survey_id",
            "instrument_id",
            "part",
            "language",
            name=op.f("uq_survey_translations_survey_id_instrument_id_part_language"),
        ),
    )
    with op.batch_alter_table("survey_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_translations_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("draft", "open", "closed", name="wavestate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_waves_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_waves")),
        sa.UniqueConstraint("survey_id", "name", name=op.f("uq_survey_waves_survey_id_name")),
    )
    with op.batch_alter_table("survey_waves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_waves_survey_id"), ["survey_id"], unique=False)
        batch_op.create_index(
            "uq_survey_waves_one_open",
            ["survey_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "survey_respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("side_id", sa.Integer(), nullable=True),
        sa.Column("comparison", sa.Boolean(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(participant_id IS NULL) <> (external_id IS NULL)",
            name=op.f("ck_survey_respondents_one_identity"),
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["survey_links.id"],
            name=op.f("fk_survey_respondents_link_id_survey_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_survey_respondents_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_survey_respondents_side_id_sides"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_respondents_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_respondents")),
        sa.UniqueConstraint(
            "survey_id", "external_id", name=op.f("uq_survey_respondents_survey_id_external_id")
        ),
        sa.UniqueConstraint(
            "survey_id",
            "participant_id",
            name=op.f("uq_survey_respondents_survey_id_participant_id"),
        ),
    )
    with op.batch_alter_table("survey_respondents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_respondents_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_respondents_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column(
            "answers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["survey_respondents.id"],
            name=op.f("fk_survey_responses_respondent_id_survey_respondents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_waves.id"],
            name=op.f("fk_survey_responses_wave_id_survey_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_respondent_id"), ["respondent_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_responses_survey_current", ["survey_id", "superseded_at"], unique=False
        )
        batch_op.create_index(
            "uq_survey_responses_one_current",
            ["respondent_id", "wave_id"],
            unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_survey_responses_one_current",
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        )
        batch_op.drop_index("ix_survey_responses_survey_current")
        batch_op.drop_index(batch_op.f("ix_survey_responses_respondent_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("survey_respondents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_respondents_survey_id"))
        batch_op.drop_index(batch_op.f("ix_survey_respondents_participant_id"))

    op.drop_table("survey_respondents")
    with op.batch_alter_table("survey_waves", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_survey_waves_one_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_survey_waves_survey_id"))

    op.drop_table("survey_waves")
    with op.batch_alter_table("survey_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_translations_survey_id"))

    op.drop_table("survey_translations")
    with op.batch_alter_table("survey_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_reports_survey_id"))

    op.drop_table("survey_reports")
    with op.batch_alter_table("survey_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_links_survey_id"))

    op.drop_table("survey_links")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_initiative_id"))

    op.drop_table("surveys")
