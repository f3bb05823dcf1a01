"""Every query shape the queue guarantees is read from an index in its order, on SQLite
(``EXPLAIN QUERY PLAN``) and PostgreSQL (``EXPLAIN`` with sequential scans and sorts
priced out, so a plan still holding one has no index to use): never a scan of the
prescription table, never a sort of its rows.

The guaranteed shapes: the ``newest`` and ``needed_by`` orders with no filter or any one
of status, prescriber, clinic, template, has-warnings and answered (or status with one
more), each date range with the order of its own column, a reference search; the
``status`` and ``prescriber`` orders alone or under their own filter. Other combinations
are read through one filter's index and sort only the rows that match it.

A search by the patient's name, in every order and under each filter (or none), first
page and later, and its capped total, is read from an index too, the name keys' or the
filter's: never a scan of the prescription table nor a walk of a whole index. It sorts
the rows that match (a name's start is a range, not an order).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any, get_args

import pytest
from sqlalchemy import Connection, Select, event, select

from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.bulk_seed import seed_bulk
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription
from pharmacy_server.prescriptions.queue import (
    ListOrder,
    QueueFilter,
    capped_count_query,
    changes_query,
    cursor_after,
    page_query,
)

SOME_ID = uuid.uuid4()
SUBMITTED = PrescriptionStatus.SUBMITTED
ONE_FILTER = {
    "none": QueueFilter(),
    "status": QueueFilter(status=SUBMITTED),
    "prescriber": QueueFilter(prescriber_id=SOME_ID),
    "clinic": QueueFilter(clinic_id=SOME_ID),
    "template": QueueFilter(template_id="myers-push"),
    "has_warnings": QueueFilter(has_warnings=True),
    "answered": QueueFilter(answered=True),
    "status and warnings": QueueFilter(status=SUBMITTED, has_warnings=True),
    "status and answered": QueueFilter(status=SUBMITTED, answered=True),
}
DAY = dt.date(2026, 12, 1)
SHAPES: list[tuple[str, ListOrder, QueueFilter]] = [
    *((name, "newest", f) for name, f in ONE_FILTER.items()),
    *((name, "needed_by", f) for name, f in ONE_FILTER.items()),
    ("submitted range", "newest", QueueFilter(submitted_from=DAY, submitted_to=DAY)),
    ("needed-by range", "needed_by", QueueFilter(needed_by_from=DAY, needed_by_to=DAY)),
    ("status", "status", QueueFilter()),
    ("status", "status", QueueFilter(status=SUBMITTED)),
    ("prescriber", "prescriber", QueueFilter()),
    ("prescriber", "prescriber", QueueFilter(prescriber_id=SOME_ID)),
]


@pytest.fixture
def seeded(database: Database) -> Database:
    seed_bulk(database, 300, load_template_catalog(), load_formulary(), load_rules())
    return database


def _plan(connection: Connection, query: Select[Any]) -> list[str]:
    """The plan's lines for ``query`` exactly as the service sends it."""
    sqlite = connection.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "

    def explain(*args: Any) -> tuple[str, Any]:
        return prefix + args[2], args[3]

    event.listen(connection, "before_cursor_execute", explain, retval=True)
    try:
        cursor = connection.execute(query).cursor
        assert cursor is not None
        rows = cursor.fetchall()
    finally:
        event.remove(connection, "before_cursor_execute", explain)
    return [str(row[3] if sqlite else row[0]) for row in rows]


def _problems(lines: list[str], *, sqlite: bool) -> list[str]:
    if sqlite:
        return [
            line
            for line in lines
            if "TEMP B-TREE" in line
            or (line.startswith("SCAN prescription") and "INDEX" not in line)
        ]
    return [line for line in lines if "Seq Scan on prescription" in line or "Sort" in line]


def _check(database: Database, query_for: Callable[[Prescription], Select[Any]]) -> list[str]:
    with database.reading() as session:
        row = session.scalars(select(Prescription).limit(1)).one()
        connection = session.connection()
        if not database.is_sqlite:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
        lines = _plan(connection, query_for(row))
    problems = _problems(lines, sqlite=database.is_sqlite)
    assert lines
    return problems if not problems else lines


@pytest.mark.parametrize(
    ("name", "sort", "filters"),
    [pytest.param(name, sort, f, id=f"{name} by {sort}") for name, sort, f in SHAPES],
)
def test_each_page_shape_reads_an_index_in_order(
    seeded: Database, name: str, sort: ListOrder, filters: QueueFilter
) -> None:
    conditions = filters.conditions()
    first = _check(seeded, lambda _row: page_query(conditions, sort, None, 50))
    assert first == [], f"{name} by {sort}: first page"
    later = _check(seeded, lambda row: page_query(conditions, sort, cursor_after(sort, row), 50))
    assert later == [], f"{name} by {sort}: a later page"


def test_the_capped_total_and_the_changes_read_an_index(seeded: Database) -> None:
    for filters in ONE_FILTER.values():
        conditions = filters.conditions()
        assert _check(seeded, lambda _row: capped_count_query(conditions)) == []  # noqa: B023
    scope = Prescription.prescriber_id == SOME_ID
    assert _check(seeded, lambda _row: changes_query(None, 10, 50)) == []
    assert _check(seeded, lambda _row: changes_query(scope, 10, 50)) == []


def test_a_reference_search_finds_its_row_by_the_unique_index(seeded: Database) -> None:
    with seeded.reading() as session:
        reference = session.scalars(select(Prescription.reference).limit(1)).one()
    conditions = QueueFilter(search=reference).conditions()
    with seeded.reading() as session:
        lines = _plan(session.connection(), page_query(conditions, "newest", None, 50))
    assert not any("Seq Scan on prescription" in line for line in lines)
    assert not any(line.startswith("SCAN prescription") for line in lines)


def test_the_check_fails_on_a_plan_that_sorts(seeded: Database) -> None:
    """The checker can fail: ordering by a column no index leads with needs a sort."""
    lines = _check(
        seeded,
        lambda _row: select(Prescription).order_by(Prescription.template_name).limit(5),
    )
    assert _problems(lines, sqlite=seeded.is_sqlite)


#: (family or either name's start, given name's start with a comma).
NAME_SEARCHES: dict[str, tuple[str, str | None]] = {
    "name": ("ga", None),
    "family, given": ("garcia", "a"),
}


def _scans(lines: list[str], *, sqlite: bool) -> list[str]:
    """A read of the whole prescription table, or of a whole index of it (on PostgreSQL:
    an index scan of it whose next line is not its ``Index Cond``, the range it seeks)."""
    if sqlite:
        return [line for line in lines if line.startswith("SCAN prescription")]
    following = [*lines[1:], ""]
    return [
        line
        for line, after in zip(lines, following, strict=True)
        if "Seq Scan on prescription" in line
        or (_reads_prescription_index(line) and "Index Cond" not in after)
    ]


def _reads_prescription_index(line: str) -> bool:
    """An index scan of the prescription table (the joined users' tiny tables may be
    read whole: with sequential scans priced out, that is an index's full walk)."""
    if "Bitmap Index Scan on " in line:
        return line.split("Bitmap Index Scan on ", 1)[1].startswith(("ix_prescription", "ix_queue"))
    return "Index Scan" in line and " on prescription" in line


def _search_plan(database: Database, query_for: Callable[[Prescription], Select[Any]]) -> list[str]:
    with database.reading() as session:
        row = session.scalars(select(Prescription).limit(1)).one()
        connection = session.connection()
        if not database.is_sqlite:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return _plan(connection, query_for(row))


@pytest.mark.parametrize("filter_name", list(ONE_FILTER))
def test_a_name_search_reads_an_index_in_every_order_under_each_filter(
    seeded: Database, filter_name: str
) -> None:
    sqlite = seeded.is_sqlite
    for search, (name, given) in NAME_SEARCHES.items():
        searched = replace(ONE_FILTER[filter_name], patient_name=name, patient_given_name=given)
        conditions = searched.conditions()
        for sort in get_args(ListOrder):
            first = _search_plan(seeded, lambda _row: page_query(conditions, sort, None, 50))  # noqa: B023
            assert first and _scans(first, sqlite=sqlite) == [], (search, sort, first)
            later = _search_plan(
                seeded,
                lambda row: page_query(conditions, sort, cursor_after(sort, row), 50),  # noqa: B023
            )
            assert later and _scans(later, sqlite=sqlite) == [], (search, sort, later)
        counted = _search_plan(seeded, lambda _row: capped_count_query(conditions))  # noqa: B023
        assert counted and _scans(counted, sqlite=sqlite) == [], (search, counted)


def test_a_name_search_alone_reads_the_name_indexes(seeded: Database) -> None:
    for sort in get_args(ListOrder):
        conditions = QueueFilter(patient_name="ga").conditions()
        lines = " ".join(_search_plan(seeded, lambda _row: page_query(conditions, sort, None, 50)))  # noqa: B023
        assert "ix_prescription_patient_family_key" in lines, lines
        assert "ix_prescription_patient_given_key" in lines, lines


def test_the_scan_check_fails_on_a_column_no_index_holds(seeded: Database) -> None:
    """The checker can fail: a prefix of the template's name has no index to seek."""
    unindexed = [Prescription.template_name >= "My", Prescription.template_name < "Mz"]
    lines = _search_plan(seeded, lambda _row: page_query(unindexed, "status", None, 50))
    assert _scans(lines, sqlite=seeded.is_sqlite)
