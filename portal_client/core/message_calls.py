"""``ApiClient``'s calls for a prescription's message thread; each answer is parsed here,
at the boundary, into ``core/message_wire.py`` types."""

from __future__ import annotations

from typing import Protocol

from portal_client.core.calls import ApiCalls
from portal_client.core.message_wire import (
    MessagePage,
    MessageReadWire,
    MessageWire,
    UnreadTotalWire,
)

#: Pages read at most for one thread in one call (100 messages each).
MAX_THREAD_PAGES = 20


class _MessagePages(Protocol):
    def message_page(self, prescription_id: str, cursor: str | None = None) -> MessagePage: ...


class MessageCalls:
    """Mixed into ``ApiClient``."""

    def message_page(
        self: ApiCalls, prescription_id: str, cursor: str | None = None
    ) -> MessagePage:
        params = {"limit": 100} if cursor is None else {"limit": 100, "cursor": cursor}
        return self.read(
            MessagePage, "GET", f"/prescriptions/{prescription_id}/messages", params=params
        )

    def thread_after(
        self: _MessagePages, prescription_id: str, cursor: str | None = None
    ) -> MessagePage:
        """Every message after ``cursor`` (the whole thread without one), as one page
        whose ``latest_cursor`` asks for what comes next."""
        page = self.message_page(prescription_id, cursor)
        items = list(page.items)
        for _ in range(MAX_THREAD_PAGES):
            if page.next_cursor is None:
                break
            page = self.message_page(prescription_id, page.next_cursor)
            items.extend(page.items)
        return MessagePage(
            items=tuple(items),
            total=page.total,
            next_cursor=page.next_cursor,
            latest_cursor=page.latest_cursor,
            read_up_to=page.read_up_to,
            unread=page.unread,
        )

    def post_message(
        self: ApiCalls, prescription_id: str, text: str, idempotency_key: str
    ) -> MessageWire:
        """A retry with the same key answers the message already stored, never a second."""
        return self.read(
            MessageWire,
            "POST",
            f"/prescriptions/{prescription_id}/messages",
            json_body={"text": text, "idempotency_key": idempotency_key},
        )

    def mark_messages_read(self: ApiCalls, prescription_id: str, up_to_seq: int) -> MessageReadWire:
        return self.read(
            MessageReadWire,
            "POST",
            f"/prescriptions/{prescription_id}/messages/read",
            json_body={"up_to_seq": up_to_seq},
        )

    def unread_messages(self: ApiCalls) -> UnreadTotalWire:
        return self.read(UnreadTotalWire, "GET", "/messages/unread")
