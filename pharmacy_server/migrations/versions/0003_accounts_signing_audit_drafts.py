"""accounts signing audit drafts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:07:16.387490
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('client_address', sa.String(length=100), nullable=True),
    sa.Column('details_json', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('rate_bucket',
    sa.Column('bucket', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'key', name=op.f('pk_rate_bucket'))
    )
    op.create_table('account_request',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('clinic_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=True),
    sa.Column('licence_number', sa.String(length=40), nullable=True),
    sa.Column('licence_state', sa.String(length=2), nullable=True),
    sa.Column('licence_expires_on', sa.Date(), nullable=True),
    sa.Column('dea_number', sa.String(length=9), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_account_request_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_account_request_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_request'))
    )
    with op.batch_alter_table('account_request', schema=None) as batch_op:
        batch_op.create_index('ix_account_request_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_request_status'), ['status'], unique=False)

    op.create_table('activation_code',
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_password_hash', sa.String(length=255), nullable=True),
    sa.Column('pending_totp_sealed', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_activation_code_user_id_app_user')),
    sa.PrimaryKeyConstraint('code_sha256', name=op.f('pk_activation_code'))
    )
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_code_user_id'), ['user_id'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('clinic_id', sa.Uuid(), nullable=False),
    sa.Column('prescriber_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=False),
    sa.Column('body_json', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_draft_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_draft_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['prescriber_id'], ['app_user.id'], name=op.f('fk_draft_prescriber_id_app_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_draft_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft'))
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_prescriber_id'), ['prescriber_id'], unique=False)
        batch_op.create_index('ix_draft_updated_at_id', ['updated_at', 'id'], unique=False)

    op.create_table('mfa_challenge',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_mfa_challenge_user_id_app_user')),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_mfa_challenge'))
    )
    with op.batch_alter_table('mfa_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mfa_challenge_user_id'), ['user_id'], unique=False)

    op.create_table('signing_grant',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('prescription_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_signing_grant_prescription_id_prescription')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_signing_grant_user_id_app_user')),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_signing_grant'))
    )
    with op.batch_alter_table('signing_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_grant_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('licence_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('licence_state', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('licence_expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dea_number', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('totp_secret_sealed', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('is_demo', server_default=None)

    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_body_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('signing_method', sa.String(length=10), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_column('signing_method')
        batch_op.drop_column('signed_body_sha256')
        batch_op.drop_column('signed_at')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret_sealed')
        batch_op.drop_column('is_demo')
        batch_op.drop_column('dea_number')
        batch_op.drop_column('licence_expires_on')
        batch_op.drop_column('licence_state')
        batch_op.drop_column('licence_number')
        batch_op.drop_column('email')

    with op.batch_alter_table('signing_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_grant_user_id'))

    op.drop_table('signing_grant')
    with op.batch_alter_table('mfa_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mfa_challenge_user_id'))

    op.drop_table('mfa_challenge')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_updated_at_id')
        batch_op.drop_index(batch_op.f('ix_draft_prescriber_id'))
        batch_op.drop_index(batch_op.f('ix_draft_clinic_id'))

    op.drop_table('draft')
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_code_user_id'))

    op.drop_table('activation_code')
    with op.batch_alter_table('account_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_request_status'))
        batch_op.drop_index('ix_account_request_created_at_id')

    op.drop_table('account_request')
    op.drop_table('rate_bucket')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
