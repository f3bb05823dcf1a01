"""The prescriber's "Sent to the pharmacy" list as pages, refreshed by what changed (no Qt).

Like the pharmacist's queue (``queue_pages``): the list holds the pages scrolled into
view, newest first, and asks for the next as its last row comes into sight. A refresh
asks only what changed since the last answer (``changed_since``): nothing on a quiet
list; otherwise the changed orders, which update the rows held in place and put orders
newer than the newest held on top (an order further down than the rows held is read
fresh when it scrolls into view). Past ``MAX_CHANGE_PAGES`` of changes the list starts
again from its first page.

The open questions are read on their own (every order waiting for the prescriber's
answer, however far down), so the banner and the tab's count never depend on what was
scrolled into view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal_client.core.prescription_list import parse_timestamp
from portal_client.core.queue_pages import PAGE_SIZE, QueueQuery
from portal_client.core.wire import PrescriptionWire

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, Page

#: The prescriber's list: every status, newest first.
PRESCRIBER_QUERY = QueueQuery(status=None, sort="newest")
#: Pages of changes taken in one refresh before the list is read afresh instead.
MAX_CHANGE_PAGES = 5


@dataclass(frozen=True)
class PrescriberListFetch:
    """One refresh: a first ``page`` (read afresh), or the ``changes`` since the last one
    (``page`` None; none at all on a quiet list), and the open questions when anything
    changed (``None``: as they were)."""

    page: Page | None
    changes: tuple[PrescriptionWire, ...] = ()
    changes_cursor: str | None = None
    questions: tuple[PrescriptionWire, ...] | None = None

    @property
    def quiet(self) -> bool:
        return self.page is None and not self.changes


def _questions(client: ApiClient) -> tuple[PrescriptionWire, ...]:
    return client.all_prescriptions(status="needs_clarification").items


def fetch_prescriber_list(client: ApiClient, changes_cursor: str | None) -> PrescriberListFetch:
    """One refresh (worker thread); ``changes_cursor`` from the last answer, or None."""
    if changes_cursor is not None:
        changed: list[PrescriptionWire] = []
        cursor: str | None = changes_cursor
        for _ in range(MAX_CHANGE_PAGES):
            answer = client.list_prescriptions(changed_since=cursor, limit=PAGE_SIZE)
            changed.extend(answer.items)
            cursor = answer.next_cursor or answer.changes_cursor
            if answer.next_cursor is None:
                if not changed:
                    return PrescriberListFetch(None, changes_cursor=cursor)
                return PrescriberListFetch(None, tuple(changed), cursor, _questions(client))
    page = first_prescriber_page(client)
    return PrescriberListFetch(page, (), page.changes_cursor, _questions(client))


def first_prescriber_page(client: ApiClient, cursor: str | None = None) -> Page:
    """A page of the list (worker thread); ``cursor`` for the ones after the first."""
    return client.list_prescriptions(
        cursor=cursor, limit=PAGE_SIZE, sort=PRESCRIBER_QUERY.sort, status=None
    )


@dataclass(frozen=True)
class ChangePlan:
    """Where each changed order goes: ``updates`` (position held, new version) in place,
    ``on_top`` newest first above the rows held."""

    updates: tuple[tuple[int, PrescriptionWire], ...]
    on_top: tuple[PrescriptionWire, ...]


def plan_changes(
    held: Sequence[PrescriptionWire], changes: Sequence[PrescriptionWire]
) -> ChangePlan:
    """Fit ``changes`` (oldest change first, an order possibly twice) into ``held``
    (newest first)."""
    latest: dict[str, PrescriptionWire] = {}
    for item in changes:
        latest[item.id] = item  # the later change of one order wins
    positions = {item.id: index for index, item in enumerate(held)}
    newest = _created(held[0]) if held else None
    updates: list[tuple[int, PrescriptionWire]] = []
    on_top: list[PrescriptionWire] = []
    for item in latest.values():
        if item.id in positions:
            updates.append((positions[item.id], item))
        elif newest is None or _created(item) >= newest:
            on_top.append(item)
    on_top.sort(key=_created, reverse=True)  # the server's order: newest, then id
    return ChangePlan(tuple(sorted(updates, key=lambda u: u[0])), tuple(on_top))


def _created(item: PrescriptionWire) -> tuple[str, str]:
    stamp = parse_timestamp(item.created_at)
    return (stamp.isoformat() if stamp is not None else item.created_at, item.id)
