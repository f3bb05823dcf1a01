"""patients: the clinic's patient records, their documents, and the record an order names

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

A record holds the patient's name (and case-folded keys for the prefix search), birth
date, sex, contact details, allergies and labs (JSON), and weight and height with the
day each was measured. Documents are kept as BLOBs beside it, so the database's
encryption at rest covers them. A prescription may name the record it was written from.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('patient',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('clinic_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_key', sa.String(length=300), nullable=False),
    sa.Column('family_key', sa.String(length=300), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('allergies_json', sa.Text(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('weight_measured_on', sa.Date(), nullable=True),
    sa.Column('height_cm', sa.Float(), nullable=True),
    sa.Column('height_measured_on', sa.Date(), nullable=True),
    sa.Column('labs_json', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_patient_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_patient_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_patient_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index('ix_patient_clinic_birth', ['clinic_id', 'birth_date'], unique=False)
        batch_op.create_index('ix_patient_clinic_created', ['clinic_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_patient_clinic_family', ['clinic_id', 'family_key'], unique=False)
        batch_op.create_index('ix_patient_clinic_given', ['clinic_id', 'given_key'], unique=False)

    op.create_table('patient_document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_document_patient_id_patient')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_patient_document_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_document'))
    )
    with op.batch_alter_table('patient_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_document_patient_id'), ['patient_id'], unique=False)

    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_prescription_patient_id'), ['patient_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_prescription_patient_id_patient'), 'patient', ['patient_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_prescription_patient_id_patient'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_prescription_patient_id'))
        batch_op.drop_column('patient_id')

    with op.batch_alter_table('patient_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_document_patient_id'))
    op.drop_table('patient_document')

    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_clinic_given')
        batch_op.drop_index('ix_patient_clinic_family')
        batch_op.drop_index('ix_patient_clinic_created')
        batch_op.drop_index('ix_patient_clinic_birth')
    op.drop_table('patient')
