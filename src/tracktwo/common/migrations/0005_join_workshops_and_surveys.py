"""join the workshops and surveys branches into one head

Workshops (0003) and surveys (0004) were built side by side on 0002; neither depends on the
other. This revision changes no table: it only gives later migrations a single parent.

Revision ID: 0005_join
Revises: 0003_workshops, 0004_surveys
"""

from __future__ import annotations

revision = "0005_join"
down_revision = ("0003_workshops", "0004_surveys")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
