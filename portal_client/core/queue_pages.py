"""The pharmacist's queue as pages (no Qt): what is asked of the server, where the next
page starts, and what the list says about the rows it does not hold yet.

The table holds only the pages scrolled into view (``gui/queue_model.py`` asks for the
next one as the last row comes into sight); the filter and the order go to the server.
A refresh first asks what changed since the last answer (``changed_since``): on a quiet
desk that is one small request and nothing is redrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal_client.core.api_client import ListOrder, Page
from portal_client.core.i18n import translate

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

#: Rows per request: a screenful or two, read in a few milliseconds by the server.
PAGE_SIZE = 100


@dataclass(frozen=True)
class QueueQuery:
    """What the pharmacist asked to see; ``status`` None is every status."""

    status: str | None = "submitted"
    has_warnings: bool = False
    answered: bool = False
    sort: ListOrder = "needed_by"
    #: A reference or the start of the patient's name ("" for none). Patient data: a
    #: query is never logged, and ``repr`` leaves it out.
    search: str = field(default="", repr=False)


@dataclass(frozen=True)
class QueueFetch:
    """One refresh: ``page`` None means nothing changed since the last one."""

    query: QueueQuery
    page: Page | None
    #: How many wait for review, and whether that is only "at least".
    waiting: int = 0
    waiting_is_lower_bound: bool = False
    changes_cursor: str | None = None


def first_page(client: ApiClient, query: QueueQuery, cursor: str | None = None) -> Page:
    """A page of ``query`` (worker thread); ``cursor`` for the ones after the first."""
    return client.list_prescriptions(
        status=query.status,
        cursor=cursor,
        limit=PAGE_SIZE,
        sort=query.sort,
        has_warnings=True if query.has_warnings else None,
        answered=True if query.answered else None,
        search=query.search or None,
    )


def fetch_queue(client: ApiClient, query: QueueQuery, changes_cursor: str | None) -> QueueFetch:
    """One refresh (worker thread). With ``changes_cursor`` from the last answer for the
    same query, nothing changed means no page at all."""
    if changes_cursor is not None:
        changes = client.list_prescriptions(changed_since=changes_cursor, limit=1)
        if not changes.items:
            return QueueFetch(query, None, changes_cursor=changes.changes_cursor)
    page = first_page(client, query)
    if query == QueueQuery(status="submitted", sort=query.sort):
        waiting, waiting_more = page.total, page.total_is_lower_bound
    else:
        counted = client.list_prescriptions(status="submitted", limit=1)
        waiting, waiting_more = counted.total, counted.total_is_lower_bound
    return QueueFetch(query, page, waiting, waiting_more, page.changes_cursor)


def count_text(count: int, lower_bound: bool) -> str:
    """``1,000+`` when the server stopped counting."""
    return f"{count:,}+" if lower_bound else f"{count:,}"


class QueuePages:
    """Where the lazily filled list stands: the query it shows, the next page's cursor,
    the total, and whether a page is on its way."""

    def __init__(self) -> None:
        self.query: QueueQuery | None = None
        self.next_cursor: str | None = None
        self.total = 0
        self.total_is_lower_bound = False
        self.changes_cursor: str | None = None
        self.loading = False
        self.shown = 0

    def start(self, query: QueueQuery, page: Page) -> None:
        """The first page of ``query`` replaced whatever was shown."""
        self.query = query
        self.next_cursor = page.next_cursor
        self.total, self.total_is_lower_bound = page.total, page.total_is_lower_bound
        self.changes_cursor = page.changes_cursor
        self.loading = False
        self.shown = len(page.items)

    def can_fetch_more(self) -> bool:
        return self.next_cursor is not None and not self.loading

    def begin_more(self) -> tuple[QueueQuery, str] | None:
        """The page to ask for next (marked on its way), or None."""
        if self.query is None or self.next_cursor is None or self.loading:
            return None
        self.loading = True
        return self.query, self.next_cursor

    def more_arrived(self, query: QueueQuery, asked: str, page: Page) -> bool:
        """Whether ``page`` still belongs after the rows shown (not if the list was
        replaced while it was on its way)."""
        if query != self.query or asked != self.next_cursor:
            return False
        self.loading = False
        self.next_cursor = page.next_cursor
        self.shown += len(page.items)
        return True

    def more_failed(self) -> None:
        self.loading = False

    def changes_for(self, query: QueueQuery) -> str | None:
        """The cursor a refresh of ``query`` may ask changes from (None: load afresh)."""
        return self.changes_cursor if query == self.query else None

    def quiet(self, changes_cursor: str | None) -> None:
        if changes_cursor is not None:
            self.changes_cursor = changes_cursor

    def summary(self) -> str:
        """Under the table while rows remain on the server: a list never ends unsaid."""
        if self.next_cursor is None:
            return ""
        total = count_text(self.total, self.total_is_lower_bound)
        if self.total_is_lower_bound:
            return translate(
                "QueuePages",
                "{total} orders; showing the first {shown} — scroll for more or narrow the filter.",
            ).format(total=total, shown=f"{self.shown:,}")
        return translate(
            "QueuePages", "Showing {shown} of {total} orders — scroll for more."
        ).format(shown=f"{self.shown:,}", total=total)
