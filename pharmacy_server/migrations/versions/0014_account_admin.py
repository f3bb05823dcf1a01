"""account administration: where each session came from; audit filters by who and what

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03

A session now records the address and the client (User-Agent, trimmed) that opened it, so
an administrator can tell a user's sessions apart before ending one. Sessions opened
before this revision show neither. The audit trail is filtered by actor and by target,
newest first, so both get an index ending in ``seq``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('client_agent', sa.String(length=200), nullable=True))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_seq', ['actor_id', 'seq'], unique=False)
        batch_op.create_index(
            'ix_audit_event_target_seq', ['target_type', 'target_id', 'seq'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_target_seq')
        batch_op.drop_index('ix_audit_event_actor_seq')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('client_agent')
        batch_op.drop_column('client_address')
