"""pharmacist claims: who is reviewing a prescription, until when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Opening an order on the pharmacist's desk claims it for a few minutes, so two
pharmacists do not review the same one. One row per claimed prescription; an expired row
is ignored by every read and replaced by the next claim.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'prescription_claim',
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('holder_id', sa.Uuid(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['holder_id'],
            ['app_user.id'],
            name=op.f('fk_prescription_claim_holder_id_app_user'),
        ),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_prescription_claim_prescription_id_prescription'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('prescription_id', name=op.f('pk_prescription_claim')),
    )
    with op.batch_alter_table('prescription_claim', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_prescription_claim_holder_id'), ['holder_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('prescription_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_claim_holder_id'))
    op.drop_table('prescription_claim')
