"""The change sequence: every write to a prescription takes the next number, so a
refresh can ask for only what changed since the number it last saw (``changed_since``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pharmacy_domain.engine import Evaluation
from pharmacy_server.models import Prescription, PrescriptionChangeCounter

_COUNTER_ID = 1


def next_change_seq(session: Session, count: int = 1) -> int:
    """Take ``count`` numbers (returns the last); the counter row stays locked until this
    transaction ends, so numbers commit in the order they were handed out."""
    dialect = session.get_bind().dialect.name
    insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = insert(PrescriptionChangeCounter).values(id=_COUNTER_ID, last_value=count)
    # A counter that never existed (tables made without the migration's first row)
    # starts above any number already on a row.
    number = session.scalar(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"last_value": PrescriptionChangeCounter.last_value + count},
        ).returning(PrescriptionChangeCounter.last_value)
    )
    assert number is not None
    return int(number)


def latest_change_seq(session: Session) -> int:
    """The newest number on a row (0 for an empty table): where a refresh starts."""
    return int(session.scalar(select(func.coalesce(func.max(Prescription.change_seq), 0))) or 0)


def has_warnings(evaluation: Evaluation) -> bool:
    """What the queue's "has warnings" filter means: a warning the prescriber went past."""
    return any(finding.severity == "warn" for finding in evaluation.findings)
