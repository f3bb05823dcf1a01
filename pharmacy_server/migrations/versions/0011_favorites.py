"""favorites: a prescriber's named orders of a template

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02

A favorite holds a template id and version, a name and the order's content without a
patient. Names are unique per prescriber and template (compared case- and space-blind
through ``name_key``); the list is read per prescriber, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('favorite',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('clinic_id', sa.Uuid(), nullable=False),
    sa.Column('prescriber_id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.String(length=80), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_key', sa.String(length=240), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_favorite_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['prescriber_id'], ['app_user.id'], name=op.f('fk_favorite_prescriber_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_favorite')),
    sa.UniqueConstraint('prescriber_id', 'template_id', 'name_key', name=op.f('uq_favorite_prescriber_id_template_id_name_key'))
    )
    with op.batch_alter_table('favorite', schema=None) as batch_op:
        batch_op.create_index('ix_favorite_prescriber_updated', ['prescriber_id', 'updated_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('favorite', schema=None) as batch_op:
        batch_op.drop_index('ix_favorite_prescriber_updated')
    op.drop_table('favorite')
