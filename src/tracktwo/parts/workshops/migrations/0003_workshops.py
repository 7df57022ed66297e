"""workshops: ideas, clusters, votes, influence map, action plan

Revision ID: 0003_workshops
Revises: 0002_dialogues
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_workshops"
down_revision = "0002_dialogues"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "ideas",
                "clarification",
                "clustering",
                "voting",
                "mapping",
                "action_plan",
                "closed",
                name="workshopstep",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("votes_per_participant", sa.Integer(), nullable=False),
        sa.Column(
            "decision_rule",
            sa.Enum(
                "simple_majority",
                "qualified_majority",
                "majority_within_each_side",
                name="decisionrule",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("qualified_fraction", sa.Float(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("in_room", "hybrid", name="workshopmode", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("max_length", sa.Integer(), nullable=False),
        sa.Column("round_robin", sa.Boolean(), nullable=False),
        sa.Column("turn_participant_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("public_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_workshops_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["turn_participant_id"],
            ["participants.id"],
            name=op.f("fk_workshops_turn_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshops_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("track", sa.SmallInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "agreed",
                "in_progress",
                "done",
                "dropped",
                name="actionstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_action_items_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_items_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshop_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_clusters_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_clusters")),
    )
    with op.batch_alter_table("workshop_clusters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_clusters_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshop_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("side_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_workshop_links_side_id_sides"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_links_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_links")),
        sa.UniqueConstraint("token", name=op.f("uq_workshop_links_token")),
    )
    with op.batch_alter_table("workshop_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_links_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshop_maps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column(
            "idea_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("question_number", sa.Integer(), nullable=False),
        sa.Column("question_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "contradiction", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_maps_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_maps")),
        sa.UniqueConstraint("workshop_id", name=op.f("uq_workshop_maps_workshop_id")),
    )
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("clarification", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("active", "merged", "split", name="ideastate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["participants.id"],
            name=op.f("fk_ideas_author_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["workshop_clusters.id"],
            name=op.f("fk_ideas_cluster_id_workshop_clusters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_ideas_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["ideas.id"],
            name=op.f("fk_ideas_merged_into_id_ideas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["split_from_id"],
            ["ideas.id"],
            name=op.f("fk_ideas_split_from_id_ideas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_ideas_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
        sa.UniqueConstraint("workshop_id", "number", name=op.f("uq_ideas_workshop_id_number")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ideas_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "workshop_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("side_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["workshop_links.id"],
            name=op.f("fk_workshop_assignments_link_id_workshop_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_workshop_assignments_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_workshop_assignments_side_id_sides"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_assignments_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_assignments")),
    )
    with op.batch_alter_table("workshop_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_assignments_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshop_assignments_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "workshop_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["workshop_links.id"],
            name=op.f("fk_workshop_members_link_id_workshop_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_workshop_members_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_members_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_members")),
        sa.UniqueConstraint(
            "workshop_id",
            "participant_id",
            name=op.f("uq_workshop_members_workshop_id_participant_id"),
        ),
    )
    with op.batch_alter_table("workshop_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_members_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshop_members_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "action_item_drivers",
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_action_item_drivers_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_action_item_drivers_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_item_id", "idea_id", name=op.f("pk_action_item_drivers")),
    )
    op.create_table(
        "idea_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("asked_by_user_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["participants.id"],
            name=op.f("fk_idea_questions_answered_by_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_user_id"],
            ["users.id"],
            name=op.f("fk_idea_questions_answered_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["participants.id"],
            name=op.f("fk_idea_questions_asked_by_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_user_id"],
            ["users.id"],
            name=op.f("fk_idea_questions_asked_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_questions_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_questions")),
    )
    with op.batch_alter_table("idea_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_questions_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "idea_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text_before", sa.Text(), nullable=False),
        sa.Column("text_after", sa.Text(), nullable=False),
        sa.Column("clarification_before", sa.Text(), nullable=False),
        sa.Column("clarification_after", sa.Text(), nullable=False),
        sa.Column(
            "related", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_revisions_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_idea_revisions_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idea_revisions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_revisions")),
    )
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_revisions_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "pair_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("question_number", sa.Integer(), nullable=True),
        sa.Column("from_idea_id", sa.Integer(), nullable=False),
        sa.Column("to_idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "device_tallies",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "room_tallies", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("qualified_fraction", sa.Float(), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("inferred_cells", sa.Integer(), nullable=False),
        sa.Column(
            "contradiction", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_pair_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_idea_id"],
            ["ideas.id"],
            name=op.f("fk_pair_decisions_from_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_idea_id"],
            ["ideas.id"],
            name=op.f("fk_pair_decisions_to_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_pair_decisions_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_decisions")),
    )
    with op.batch_alter_table("pair_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pair_decisions_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "pair_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("question_number", sa.Integer(), nullable=False),
        sa.Column("from_idea_id", sa.Integer(), nullable=False),
        sa.Column("to_idea_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("yes", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_idea_id"],
            ["ideas.id"],
            name=op.f("fk_pair_votes_from_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_pair_votes_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_idea_id"],
            ["ideas.id"],
            name=op.f("fk_pair_votes_to_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_pair_votes_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_votes")),
    )
    with op.batch_alter_table("pair_votes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pair_votes_workshop_question", ["workshop_id", "question_number"], unique=False
        )

    op.create_table(
        "preference_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_preference_votes_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_preference_votes_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_preference_votes_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preference_votes")),
    )
    with op.batch_alter_table("preference_votes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_preference_votes_workshop_participant",
            ["workshop_id", "participant_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("preference_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_preference_votes_workshop_participant")

    op.drop_table("preference_votes")
    with op.batch_alter_table("pair_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_votes_workshop_question")

    op.drop_table("pair_votes")
    with op.batch_alter_table("pair_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_decisions_workshop_id"))

    op.drop_table("pair_decisions")
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_revisions_idea_id"))

    op.drop_table("idea_revisions")
    with op.batch_alter_table("idea_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_questions_idea_id"))

    op.drop_table("idea_questions")
    op.drop_table("action_item_drivers")
    with op.batch_alter_table("workshop_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_members_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_workshop_members_participant_id"))

    op.drop_table("workshop_members")
    with op.batch_alter_table("workshop_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_assignments_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_workshop_assignments_participant_id"))

    op.drop_table("workshop_assignments")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_ideas_author_id"))

    op.drop_table("ideas")
    op.drop_table("workshop_maps")
    with op.batch_alter_table("workshop_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_links_workshop_id"))

    op.drop_table("workshop_links")
    with op.batch_alter_table("workshop_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_clusters_workshop_id"))

    op.drop_table("workshop_clusters")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_items_workshop_id"))

    op.drop_table("action_items")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshops_initiative_id"))

    op.drop_table("workshops")
