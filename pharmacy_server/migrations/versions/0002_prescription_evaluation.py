"""store the clinical evaluation with each prescription

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Rows submitted before the check engine have no evaluation (NULL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_column('evaluation_json')
