"""the prescription lifecycle: one row per step (submit, clarification, compounding, ...)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Prescriptions written before this revision get their history from what they already
record: the submission (created_at, by the prescriber) and, if reviewed, the review.
Times are copied as stored (naive UTC on SQLite, aware on PostgreSQL).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    events = op.create_table(
        'prescription_event',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('from_status', sa.String(length=20), nullable=True),
        sa.Column('to_status', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['app_user.id'], name=op.f('fk_prescription_event_actor_id_app_user')
        ),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_prescription_event_prescription_id_prescription'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_event')),
        sa.UniqueConstraint(
            'prescription_id', 'seq', name=op.f('uq_prescription_event_prescription_id_seq')
        ),
    )
    with op.batch_alter_table('prescription_event', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_prescription_event_prescription_id'), ['prescription_id'], unique=False
        )

    prescription = sa.table(
        'prescription',
        sa.column('id', sa.Uuid()),
        sa.column('prescriber_id', sa.Uuid()),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('review_action', sa.String()),
        sa.column('review_reason', sa.Text()),
        sa.column('reviewed_by_id', sa.Uuid()),
        sa.column('reviewed_at', sa.DateTime(timezone=True)),
        sa.column('status', sa.String()),
    )
    rows = op.get_bind().execute(sa.select(prescription)).mappings().all()
    backfill: list[dict[str, object]] = []
    for row in rows:
        backfill.append(
            {
                'id': uuid.uuid4(),
                'prescription_id': row['id'],
                'seq': 1,
                'at': row['created_at'],
                'action': 'submit',
                'from_status': None,
                'to_status': 'submitted',
                'actor_id': row['prescriber_id'],
                'note': None,
            }
        )
        if row['review_action'] and row['reviewed_by_id'] and row['reviewed_at']:
            backfill.append(
                {
                    'id': uuid.uuid4(),
                    'prescription_id': row['id'],
                    'seq': 2,
                    'at': row['reviewed_at'],
                    'action': row['review_action'],
                    'from_status': 'submitted',
                    'to_status': row['status'],
                    'actor_id': row['reviewed_by_id'],
                    'note': row['review_reason'],
                }
            )
    if backfill:
        op.bulk_insert(events, backfill)


#: The statuses code before this revision can read.
EARLIER_STATUSES = ('submitted', 'approved', 'rejected')


def downgrade() -> None:
    # Older code cannot read the lifecycle's statuses: refuse rather than leave rows that
    # would break every list (restore a backup to go back).
    prescription = sa.table('prescription', sa.column('status', sa.String()))
    later = op.get_bind().scalar(
        sa.select(sa.func.count())
        .select_from(prescription)
        .where(prescription.c.status.not_in(EARLIER_STATUSES))
    )
    if later:
        raise RuntimeError(
            f'{later} prescription(s) are in a status revision 0004 does not know '
            '(asked, compounding, ready, shipped or cancelled); cannot downgrade. '
            'Restore a backup taken before upgrading instead.'
        )
    with op.batch_alter_table('prescription_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_event_prescription_id'))
    op.drop_table('prescription_event')
