"""template and formulary versions: drafted with who and why, published by a second person

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-04

One row per version of a template or of the whole formulary. The table starts empty: the
server seeds the files in ``resources/`` as the published versions on first use
(``pharmacy_server.catalog.versions``), so a fresh database behaves as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'catalog_version',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('entity_id', sa.String(length=100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('content_json', sa.Text(), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_by_name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Uuid(), nullable=True),
        sa.Column('published_by_name', sa.String(length=100), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by_id'],
            ['app_user.id'],
            name=op.f('fk_catalog_version_created_by_id_app_user'),
        ),
        sa.ForeignKeyConstraint(
            ['published_by_id'],
            ['app_user.id'],
            name=op.f('fk_catalog_version_published_by_id_app_user'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version')),
        sa.UniqueConstraint(
            'kind', 'entity_id', 'version', name=op.f('uq_catalog_version_kind_entity_id_version')
        ),
    )
    with op.batch_alter_table('catalog_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_version_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('catalog_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_version_status'))
    op.drop_table('catalog_version')
