"""The queue's page state without Qt: the next page asked once, a page for a replaced list
dropped, the refresh's changes cursor kept per query, and a list that never ends unsaid."""

from __future__ import annotations

from portal_client.core.api_client import Page
from portal_client.core.queue_pages import QueuePages, QueueQuery, count_text

TO_REVIEW = QueueQuery()
EVERYTHING = QueueQuery(status=None, sort="newest")


def test_the_next_page_is_asked_for_once_and_only_for_the_list_shown() -> None:
    pages = QueuePages()
    assert not pages.can_fetch_more() and pages.begin_more() is None
    pages.start(EVERYTHING, Page(total=1000, next_cursor="c1", total_is_lower_bound=True))
    assert pages.can_fetch_more()
    assert pages.begin_more() == (EVERYTHING, "c1")
    assert pages.begin_more() is None and not pages.can_fetch_more()  # on its way
    assert not pages.more_arrived(TO_REVIEW, "c1", Page(next_cursor="c2"))  # another list
    assert not pages.more_arrived(EVERYTHING, "c0", Page(next_cursor="c2"))  # another place
    assert pages.more_arrived(EVERYTHING, "c1", Page(next_cursor="c2"))
    assert pages.next_cursor == "c2" and pages.can_fetch_more()
    pages.begin_more()
    pages.more_failed()
    assert pages.can_fetch_more()  # a failed page may be asked for again


def test_the_changes_cursor_belongs_to_the_query_it_came_with() -> None:
    pages = QueuePages()
    pages.start(TO_REVIEW, Page(changes_cursor="s5"))
    assert pages.changes_for(TO_REVIEW) == "s5"
    assert pages.changes_for(EVERYTHING) is None  # another filter loads afresh
    pages.quiet("s6")
    assert pages.changes_for(TO_REVIEW) == "s6"
    pages.quiet(None)
    assert pages.changes_for(TO_REVIEW) == "s6"


def test_a_list_with_rows_left_on_the_server_says_so() -> None:
    pages = QueuePages()
    items = ()
    pages.start(
        EVERYTHING, Page(items=items, total=1000, next_cursor="c", total_is_lower_bound=True)
    )
    pages.shown = 100
    assert pages.summary() == (
        "1,000+ orders; showing the first 100 — scroll for more or narrow the filter."
    )
    pages.start(TO_REVIEW, Page(total=250, next_cursor="c"))
    pages.shown = 200
    assert pages.summary() == "Showing 200 of 250 orders — scroll for more."
    pages.start(TO_REVIEW, Page(total=40))
    assert pages.summary() == ""  # all shown: nothing to say
    assert count_text(1000, True) == "1,000+" and count_text(12, False) == "12"
