"""patient search: the queue searched by the start of the patient's name, from an index

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-04

Two folded keys of the patient's name as signed ("family given" and "given family":
lower case, accents and apostrophes dropped, separators as one space), each indexed, so
a name's start is a range seek on either. On PostgreSQL they use the "C" collation: byte
order, so the range holds whatever the database's locale. Existing rows are filled from
their stored content.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql')
_INDEXES = (
    ('ix_prescription_patient_family_key', 'patient_family_key'),
    ('ix_prescription_patient_given_key', 'patient_given_key'),
)
#: As ``pharmacy_server.prescriptions.patient_search`` when this revision was written.
_DROPPED = str.maketrans('', '', "'’`´")
_SEPARATORS = re.compile(r'[\s,;.\-_/]+')
_BATCH = 1000


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize('NFKD', text.translate(_DROPPED))
    bare = ''.join(char for char in decomposed if not unicodedata.combining(char))
    return ' '.join(_SEPARATORS.sub(' ', bare.casefold()).split())


def _keys(content_json: str) -> tuple[str | None, str | None]:
    try:
        patient = json.loads(content_json).get('patient')
    except (ValueError, AttributeError):
        return None, None
    if not isinstance(patient, dict):
        return None, None
    family = _fold(str(patient.get('family_name') or ''))
    given = _fold(str(patient.get('given_name') or ''))
    family_first = ' '.join(part for part in (family, given) if part)[:200]
    given_first = ' '.join(part for part in (given, family) if part)[:200]
    return family_first, given_first


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite keeps the queue's DESC indexes as they are.
    op.add_column('prescription', sa.Column('patient_family_key', _KEY, nullable=True))
    op.add_column('prescription', sa.Column('patient_given_key', _KEY, nullable=True))
    connection = op.get_bind()
    prescription = sa.table(
        'prescription',
        sa.column('id', sa.Uuid()),
        sa.column('content_json', sa.Text()),
        sa.column('patient_family_key', sa.String()),
        sa.column('patient_given_key', sa.String()),
    )
    rows = connection.execute(sa.select(prescription.c.id, prescription.c.content_json))
    while batch := rows.fetchmany(_BATCH):
        updates = [
            {'row_id': row_id, 'family': family, 'given': given}
            for row_id, content_json in batch
            for family, given in [_keys(content_json)]
        ]
        connection.execute(
            prescription.update()
            .where(prescription.c.id == sa.bindparam('row_id'))
            .values(
                patient_family_key=sa.bindparam('family'),
                patient_given_key=sa.bindparam('given'),
            ),
            updates,
        )
    for name, column in _INDEXES:
        op.create_index(name, 'prescription', [column], unique=False)


def downgrade() -> None:
    for name, _column in reversed(_INDEXES):
        op.drop_index(name, table_name='prescription')
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as the upgrade.
    op.drop_column('prescription', 'patient_given_key')
    op.drop_column('prescription', 'patient_family_key')
