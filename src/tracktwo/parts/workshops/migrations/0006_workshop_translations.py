"""workshop translations: ideas and the triggering question in the initiative's languages

Revision ID: 0006_workshop_translations
Revises: 0005_join
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workshop_translations"
down_revision = "0005_join"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idea_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("translated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_translations_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translated_by_id"],
            ["users.id"],
            name=op.f("fk_idea_translations_translated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_translations")),
        sa.UniqueConstraint(
            "idea_id", "language", name=op.f("uq_idea_translations_idea_id_language")
        ),
    )
    op.create_table(
        "workshop_question_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("translated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_question_translations_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translated_by_id"],
            ["users.id"],
            name=op.f("fk_workshop_question_translations_translated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_question_translations")),
        sa.UniqueConstraint(
            "workshop_id",
            "language",
            name=op.f("uq_workshop_question_translations_workshop_id_language"),
        ),
    )


def downgrade() -> None:
    op.drop_table("workshop_question_translations")
    op.drop_table("idea_translations")
