"""join the messaging, voice and leads branches

Revision ID: 0009
Revises: 0006, 0007, 0008
Create Date: 2026-11-22 22:48:40.861455+00:00
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | tuple[str, ...] | None = ("0006", "0007", "0008")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A merge point only: the three branches were developed in parallel from 0005 and touch
    # disjoint tables, so joining them needs no operation.
    pass


def downgrade() -> None:
    pass
