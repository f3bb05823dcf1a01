"""which canonical JSON each stored hash was computed over

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Hashes are now computed over RFC 8785 (JCS) JSON. Audit events and idempotency
fingerprints stored before this revision were hashed over Python's sorted ``json.dumps``:
they are labelled ``sorted-json`` (the column default) and keep verifying; new rows are
``rfc8785``. Nothing is re-hashed: rewriting the audit chain would erase the evidence it
exists to keep.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The form of every hash written before this revision.
LEGACY_FORM = 'sorted-json'


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'hash_form', sa.String(length=16), server_default=LEGACY_FORM, nullable=False
            )
        )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'request_hash_form',
                sa.String(length=16),
                server_default=LEGACY_FORM,
                nullable=False,
            )
        )


def downgrade() -> None:
    # Older code hashes everything as sorted-json: an RFC 8785 audit event would read as
    # altered and an RFC 8785 fingerprint would refuse its own retry. Refuse instead
    # (restore a backup to go back).
    bind = op.get_bind()
    newer = {}
    for table, column in (('audit_event', 'hash_form'), ('prescription', 'request_hash_form')):
        rows = sa.table(table, sa.column(column, sa.String()))
        newer[table] = bind.scalar(
            sa.select(sa.func.count()).select_from(rows).where(rows.c[column] != LEGACY_FORM)
        )
    if any(newer.values()):
        raise RuntimeError(
            f"{newer['audit_event']} audit event(s) and {newer['prescription']} "
            'prescription(s) were hashed over RFC 8785 JSON, which revision 0005 cannot '
            'verify; cannot downgrade. Restore a backup taken before upgrading instead.'
        )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``prescription``
    # would have to drop the table prescription_event's foreign key points at.
    op.drop_column('prescription', 'request_hash_form')
    op.drop_column('audit_event', 'hash_form')
