"""queue: the pharmacist's filters and orders from indexes, and a change sequence

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03

The queue pages by keyset under each filter and order; every index here ends
``created_at DESC, id DESC`` after the columns a filter or order names, so a page is read
in order without sorting. ``needed_by_key`` is the needed-by date with the undated last
(9999-12-31), which a SQLite index cannot do with a NULL. ``has_warnings`` and
``answered`` copy what the queue filters on out of the evaluation and the history.
``change_seq`` numbers every write (from ``prescription_change_counter``, one locked row)
so a refresh asks only for what changed; existing rows are numbered by last update.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As ``pharmacy_server.models.QUEUE_INDEX_COLUMNS`` when this revision was written.
_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_queue_status", ("status",)),
    ("ix_queue_status_needed_by", ("status", "needed_by_key")),
    ("ix_queue_status_prescriber", ("status", "prescriber_id")),
    ("ix_queue_needed_by", ("needed_by_key",)),
    ("ix_queue_prescriber", ("prescriber_id",)),
    ("ix_queue_prescriber_needed_by", ("prescriber_id", "needed_by_key")),
    ("ix_queue_clinic", ("clinic_id",)),
    ("ix_queue_clinic_needed_by", ("clinic_id", "needed_by_key")),
    ("ix_queue_template", ("template_id",)),
    ("ix_queue_template_needed_by", ("template_id", "needed_by_key")),
    ("ix_queue_warnings", ("has_warnings",)),
    ("ix_queue_warnings_needed_by", ("has_warnings", "needed_by_key")),
    ("ix_queue_answered", ("answered",)),
    ("ix_queue_answered_needed_by", ("answered", "needed_by_key")),
)


def _has_warning(evaluation_json: str | None) -> bool:
    if not evaluation_json:
        return False
    try:
        findings = json.loads(evaluation_json).get("findings") or []
    except (ValueError, AttributeError):
        return False
    return any(isinstance(f, dict) and f.get("severity") == "warn" for f in findings)


def upgrade() -> None:
    op.create_table('prescription_change_counter',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_change_counter'))
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needed_by_key', sa.Date(), server_default='9999-12-31', nullable=False))
        batch_op.add_column(sa.Column('has_warnings', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('answered', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=True))

    connection = op.get_bind()
    prescription = sa.table(
        'prescription',
        sa.column('id', sa.Uuid()),
        sa.column('status', sa.String()),
        sa.column('needed_by', sa.Date()),
        sa.column('needed_by_key', sa.Date()),
        sa.column('evaluation_json', sa.Text()),
        sa.column('has_warnings', sa.Boolean()),
        sa.column('answered', sa.Boolean()),
        sa.column('change_seq', sa.BigInteger()),
        sa.column('updated_at', sa.DateTime()),
    )
    event = sa.table(
        'prescription_event',
        sa.column('prescription_id', sa.Uuid()),
        sa.column('seq', sa.Integer()),
        sa.column('action', sa.String()),
    )
    connection.execute(
        prescription.update()
        .where(prescription.c.needed_by.is_not(None))
        .values(needed_by_key=prescription.c.needed_by)
    )
    # The last step of each prescription: "answered" while it is the prescriber's answer.
    last_actions = dict(
        connection.execute(
            sa.select(event.c.prescription_id, event.c.action).where(
                event.c.seq
                == sa.select(sa.func.max(event.c.seq))
                .where(event.c.prescription_id == prescription.c.id)
                .correlate(prescription)
                .scalar_subquery()
            ).select_from(event.join(prescription, event.c.prescription_id == prescription.c.id))
        ).all()
    )
    rows = connection.execute(
        sa.select(prescription.c.id, prescription.c.evaluation_json, prescription.c.status)
        .order_by(prescription.c.updated_at, prescription.c.id)
    ).all()
    for seq, (row_id, evaluation_json, status) in enumerate(rows, start=1):
        connection.execute(
            prescription.update()
            .where(prescription.c.id == row_id)
            .values(
                change_seq=seq,
                has_warnings=_has_warning(evaluation_json),
                answered=status == 'submitted'
                and last_actions.get(row_id) == 'answer_clarification',
            )
        )
    connection.execute(
        sa.table('prescription_change_counter', sa.column('id'), sa.column('last_value'))
        .insert()
        .values(id=1, last_value=len(rows))
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.alter_column('change_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_prescription_change_seq'), ['change_seq'])
        batch_op.create_index(
            'ix_prescription_prescriber_change_seq', ['prescriber_id', 'change_seq'], unique=False
        )
    # Outside the batch: SQLite's table copy cannot carry an index with DESC terms.
    for name, columns in _INDEXES:
        op.create_index(
            name,
            'prescription',
            [*columns, sa.text('created_at DESC'), sa.text('id DESC')],
            unique=False,
        )


def downgrade() -> None:
    for name, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name='prescription')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index('ix_prescription_prescriber_change_seq')
        batch_op.drop_constraint(op.f('uq_prescription_change_seq'), type_='unique')
        batch_op.drop_column('change_seq')
        batch_op.drop_column('answered')
        batch_op.drop_column('has_warnings')
        batch_op.drop_column('needed_by_key')
    op.drop_table('prescription_change_counter')
