"""dispensing details: needed-by date and quantity, and the beyond-use date and storage

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02

The needed-by date and the number of bags are part of the signed content; they are copied
to columns so the pharmacist's queue can sort by the date (indexed). Orders stored before
this revision gave neither: the columns stay empty for them. The beyond-use date and the
storage condition are what the pharmacy enters when it marks an order ready.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needed_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('quantity_bags', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('beyond_use_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('storage', sa.String(length=30), nullable=True))
        batch_op.create_index('ix_prescription_needed_by', ['needed_by'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index('ix_prescription_needed_by')
        batch_op.drop_column('storage')
        batch_op.drop_column('beyond_use_date')
        batch_op.drop_column('quantity_bags')
        batch_op.drop_column('needed_by')
