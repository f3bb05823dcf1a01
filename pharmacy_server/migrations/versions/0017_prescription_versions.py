"""prescription versions and field proposals

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-04

A pharmacist may ask about one field of an order with a proposed value; the prescriber
accepts it by signing the changed order again, which becomes version 2 of the same
prescription. ``prescription_version`` keeps each signed version, ``field_proposal`` each
proposal, and ``version`` on the prescription and its history steps says which version
the content is and each step was taken on (1 for everything before).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('prescription_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'prescription_version',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content_json', sa.Text(), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('evaluation_json', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signed_by_id', sa.Uuid(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('signed_body_sha256', sa.String(length=64), nullable=True),
        sa.Column('signing_method', sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_prescription_version_prescription_id_prescription'),
        ),
        sa.ForeignKeyConstraint(
            ['signed_by_id'],
            ['app_user.id'],
            name=op.f('fk_prescription_version_signed_by_id_app_user'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_version')),
        sa.UniqueConstraint(
            'prescription_id', 'number', name=op.f('uq_prescription_version_prescription_id_number'),
        ),
    )
    with op.batch_alter_table('prescription_version', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_prescription_version_prescription_id'), ['prescription_id'], unique=False
        )
    op.create_table(
        'field_proposal',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('prescription_id', sa.Uuid(), nullable=False),
        sa.Column('field_path', sa.String(length=200), nullable=False),
        sa.Column('value_json', sa.Text(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('proposed_by_id', sa.Uuid(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_version', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['prescription_id'],
            ['prescription.id'],
            name=op.f('fk_field_proposal_prescription_id_prescription'),
        ),
        sa.ForeignKeyConstraint(
            ['proposed_by_id'],
            ['app_user.id'],
            name=op.f('fk_field_proposal_proposed_by_id_app_user'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_proposal')),
    )
    with op.batch_alter_table('field_proposal', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_field_proposal_prescription_id'), ['prescription_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('field_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_proposal_prescription_id'))
    op.drop_table('field_proposal')
    with op.batch_alter_table('prescription_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_version_prescription_id'))
    op.drop_table('prescription_version')
    with op.batch_alter_table('prescription_event', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_column('version')
