"""messages: a thread per prescription between its prescriber and the pharmacy

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-04

Each prescription gets a thread of messages, numbered from 1 (``seq``), each with its
author and an idempotency key so a retried send is never doubled. ``message_count`` on
the prescription is the last message's number, and ``message_read_marker`` says how far
each user has read each thread: a list row's unread count is the difference, read with
the row and one lookup for the page. Existing prescriptions start with no messages.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('message_count', sa.Integer(), server_default=sa.text('0'), nullable=False)
        )
        batch_op.create_index('ix_prescription_message_count', ['message_count'], unique=False)
    op.create_table(
        'prescription_message',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Uuid(), nullable=False),
        sa.Column('author_role', sa.String(length=20), nullable=False),
        sa.Column('idempotency_key', sa.String(length=100), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'],
            ['app_user.id'],
            name=op.f('fk_prescription_message_author_id_app_user'),
        ),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_prescription_message_prescription_id_prescription'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_message')),
        sa.UniqueConstraint(
            'author_id',
            'idempotency_key',
            name=op.f('uq_prescription_message_author_id_idempotency_key'),
        ),
        sa.UniqueConstraint(
            'prescription_id', 'seq', name=op.f('uq_prescription_message_prescription_id_seq')
        ),
    )
    op.create_table(
        'message_read_marker',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('read_up_to', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_message_read_marker_prescription_id_prescription'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['app_user.id'],
            name=op.f('fk_message_read_marker_user_id_app_user'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'prescription_id', name=op.f('pk_message_read_marker')),
    )
    with op.batch_alter_table('message_read_marker', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_message_read_marker_prescription_id'), ['prescription_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('message_read_marker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_read_marker_prescription_id'))
    op.drop_table('message_read_marker')
    op.drop_table('prescription_message')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index('ix_prescription_message_count')
        batch_op.drop_column('message_count')
