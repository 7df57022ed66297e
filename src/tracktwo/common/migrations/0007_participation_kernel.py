"""participation kernel: one table of invitation links and one of memberships for every part

Dialogues, workshops and surveys each had their own link table (invitation_links,
workshop_links, survey_links) and dialogues and workshops their own membership table
(dialogue_memberships, workshop_members). They become join_links and part_memberships, keyed
by (part, target_id); every row is copied with its token, side, dates and link, so links
already handed out keep working. Survey respondents who are participants get a membership
too (the kernel's join makes one for every part). The downgrade copies everything back.

Revision ID: 0007_participation_kernel
Revises: 0006_workshop_translations
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_participation_kernel"
down_revision = "0006_workshop_translations"
branch_labels = None
depends_on = None

# (part, old link table, the column naming the target, the target's table)
LINK_TABLES = (
    ("dialogues", "invitation_links", "dialogue_id", "dialogues"),
    ("workshops", "workshop_links", "workshop_id", "workshops"),
    ("surveys", "survey_links", "survey_id", "surveys"),
)
# (part, old membership table, target column, old link table)
MEMBER_TABLES = (
    ("dialogues", "dialogue_memberships", "dialogue_id", "invitation_links"),
    ("workshops", "workshop_members", "workshop_id", "workshop_links"),
)
# tables whose link_id pointed at a part's link table: (table, old link table)
LINK_USERS = (("survey_respondents", "survey_links"), ("workshop_assignments", "workshop_links"))


def _execute(statement: str, **values: Any) -> None:
    # Set-based INSERT ... SELECT and UPDATE: the values never pass through Python, so dates
    # keep their exact storage on both engines.
    op.execute(sa.text(statement).bindparams(**values) if values else sa.text(statement))


def _largest_id(table: str) -> int:
    return int(op.get_bind().scalar(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) or 0)


def _reset_sequence(table: str) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's counter past them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def _move_link_constraint(table: str, old: str, new: str, shift: int = 0) -> None:
    """Point ``table.link_id`` at ``new`` instead of ``old``, adding ``shift`` to every id."""
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"fk_{table}_link_id_{old}", type_="foreignkey")
    if shift:
        _execute(f"UPDATE {table} SET link_id = link_id + :shift", shift=shift)
    with op.batch_alter_table(table) as batch:
        batch.create_foreign_key(
            f"fk_{table}_link_id_{new}", new, ["link_id"], ["id"], ondelete="SET NULL"
        )


def _create_kernel_tables() -> tuple[sa.Table, sa.Table]:
    links = op.create_table(
        "join_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("side_id", sa.Integer(), nullable=True),
        sa.Column("comparison", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_join_links_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["side_id"], ["sides.id"], name=op.f("fk_join_links_side_id_sides"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_links")),
        sa.UniqueConstraint("token", name=op.f("uq_join_links_token")),
    )
    op.create_index(op.f("ix_join_links_initiative_id"), "join_links", ["initiative_id"])
    op.create_index("ix_join_links_part_target", "join_links", ["part", "target_id"])
    members = op.create_table(
        "part_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["join_links.id"],
            name=op.f("fk_part_memberships_link_id_join_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_part_memberships_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_memberships")),
        sa.UniqueConstraint(
            "part",
            "target_id",
            "participant_id",
            name=op.f("uq_part_memberships_part_target_id_participant_id"),
        ),
    )
    op.create_index(
        op.f("ix_part_memberships_participant_id"), "part_memberships", ["participant_id"]
    )
    return links, members


def upgrade() -> None:
    _create_kernel_tables()
    # New link ids: each part's old ids shifted past the previous part's, so they stay
    # unique and every reference can be moved by adding one number.
    shift: dict[str, int] = {}
    total = 0
    for part, table, column, target in LINK_TABLES:
        shift[table] = total
        comparison = "l.comparison" if table == "survey_links" else ":no"
        _execute(
            "INSERT INTO join_links (id, initiative_id, part, target_id, side_id, comparison, "
            "token, created_at, revoked_at) "
            f"SELECT l.id + :shift, t.initiative_id, :part, l.{column}, l.side_id, {comparison}, "
            f"l.token, l.created_at, l.revoked_at FROM {table} l JOIN {target} t "
            f"ON t.id = l.{column}",
            shift=total,
            part=part,
            **({"no": False} if table != "survey_links" else {}),
        )
        total += _largest_id(table)
    _reset_sequence("join_links")
    for part, table, column, link_table in MEMBER_TABLES:
        _execute(
            "INSERT INTO part_memberships (part, target_id, participant_id, link_id, joined_at) "
            f"SELECT :part, {column}, participant_id, link_id + :shift, joined_at FROM {table} "
            "ORDER BY id",
            part=part,
            shift=shift[link_table],
        )
    # Survey respondents who are participants joined through the survey's link.
    _execute(
        "INSERT INTO part_memberships (part, target_id, participant_id, link_id, joined_at) "
        "SELECT 'surveys', survey_id, participant_id, link_id + :shift, created_at "
        "FROM survey_respondents WHERE participant_id IS NOT NULL ORDER BY id",
        shift=shift["survey_links"],
    )
    for table, old in LINK_USERS:
        _move_link_constraint(table, old, "join_links", shift[old])
    for _part, table, _column, _link_table in MEMBER_TABLES:
        op.drop_table(table)
    for _part, table, _column, _target in LINK_TABLES:
        op.drop_table(table)


def _create_old_tables() -> dict[str, sa.Table]:
    made = {}
    for part, table, column, target in LINK_TABLES:
        columns: list[sa.schema.SchemaItem] = [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.Column("side_id", sa.Integer(), nullable=True),
        ]
        if part == "surveys":
            columns.append(sa.Column("comparison", sa.Boolean(), nullable=False))
        columns += [
            sa.Column("token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["side_id"], ["sides.id"], name=f"fk_{table}_side_id_sides", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("token", name=f"uq_{table}_token"),
        ]
        made[table] = op.create_table(table, *columns)
        op.create_index(f"ix_{table}_{column}", table, [column])
    for _part, table, column, link_table in MEMBER_TABLES:
        target = column.removesuffix("_id") + "s"
        made[table] = op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.Column("participant_id", sa.Integer(), nullable=False),
            sa.Column("link_id", sa.Integer(), nullable=True),
            sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["link_id"],
                [f"{link_table}.id"],
                name=f"fk_{table}_link_id_{link_table}",
                ondelete="SET NULL",
            ),
            sa.ForeignKeyConstraint(
                ["participant_id"],
                ["participants.id"],
                name=f"fk_{table}_participant_id_participants",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint(
                column, "participant_id", name=f"uq_{table}_{column}_participant_id"
            ),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])
        op.create_index(f"ix_{table}_participant_id", table, ["participant_id"])
    return made


def downgrade() -> None:
    _create_old_tables()
    # join_links ids are unique across parts, so each old table keeps them as they are.
    for part, table, column, _target in LINK_TABLES:
        extra = ", comparison" if table == "survey_links" else ""
        _execute(
            f"INSERT INTO {table} (id, {column}, side_id{extra}, token, created_at, revoked_at) "
            f"SELECT id, target_id, side_id{extra}, token, created_at, revoked_at "
            "FROM join_links WHERE part = :part",
            part=part,
        )
        _reset_sequence(table)
    for part, table, column, _link_table in MEMBER_TABLES:
        _execute(
            f"INSERT INTO {table} (id, {column}, participant_id, link_id, joined_at) "
            "SELECT id, target_id, participant_id, link_id, joined_at FROM part_memberships "
            "WHERE part = :part",
            part=part,
        )
        _reset_sequence(table)
    for table, old in LINK_USERS:
        _move_link_constraint(table, "join_links", old)
    op.drop_table("part_memberships")
    op.drop_table("join_links")
