"""the actor's username on each audit event

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Events written before this revision keep NULL: filling it in would change what their
stored hashes cover (the chain hashes actor_username only when it is present).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_username', sa.String(length=150), nullable=True))


def downgrade() -> None:
    # Dropping the usernames breaks the chain at the first event that had one: restore a
    # backup rather than downgrade a database in use.
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('actor_username')
