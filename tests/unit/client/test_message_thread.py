"""The thread's state without Qt: merging pages, the key a send and its retries carry,
the text rules checked before sending, and the words the windows show."""

from __future__ import annotations

import datetime as dt
import itertools

from pharmacy_domain.text_limits import MAX_MESSAGE_LENGTH
from portal_client.core.errors import ApiError, OutcomeUnknown, ServerUnreachable
from portal_client.core.message_wire import MessageAuthorWire, MessagePage, MessageWire
from portal_client.core.messages import (
    MessageThread,
    author_line,
    check_message_text,
    send_failed_text,
    thread_html,
    unread_total_text,
    with_unread_mark,
)

PHARMACIST = MessageAuthorWire("p-1", "Priya Nair, PharmD", "pharmacist")
PRESCRIBER = MessageAuthorWire("d-1", "Dr. Maya Chen", "prescriber")


def _message(seq: int, text: str, author: MessageAuthorWire = PHARMACIST) -> MessageWire:
    return MessageWire(
        id=f"m-{seq}",
        prescription_id="rx-1",
        seq=seq,
        text=text,
        author=author,
        created_at=dt.datetime(2026, 12, 4, 9, seq, tzinfo=dt.UTC),
    )


def _page(*messages: MessageWire, cursor: str = "c") -> MessagePage:
    return MessagePage(
        items=messages,
        total=len(messages),
        next_cursor=None,
        latest_cursor=cursor,
        read_up_to=0,
        unread=len(messages),
    )


def test_merging_keeps_one_copy_in_order() -> None:
    thread = MessageThread("rx-1")
    assert thread.merge(_page(_message(2, "b"), _message(1, "a"), cursor="c2"))
    assert not thread.merge(_page(_message(1, "a"), cursor="c2"))
    assert [m.seq for m in thread.messages] == [1, 2]
    assert (thread.last_seq, thread.latest_cursor) == (2, "c2")


def test_a_retry_of_the_same_text_keeps_its_key() -> None:
    keys = (f"key-{n}" for n in itertools.count())
    thread = MessageThread("rx-1", new_key=lambda: next(keys))
    first = thread.begin_send("Call me")
    assert thread.begin_send("Call me").key == first.key == "key-0"
    assert thread.begin_send("Call me, please").key == "key-1"  # edited: a new message
    thread.sent(_message(1, "Call me, please", PRESCRIBER))
    assert thread.pending is None
    assert thread.begin_send("Call me, please").key == "key-2"  # sent: the next is new
    thread.sent(_message(1, "Call me, please", PRESCRIBER))
    assert len(thread.messages) == 1


def test_text_is_checked_as_the_server_would() -> None:
    assert check_message_text("Fine\n\tindented") is None
    assert check_message_text("  \n") == "Write a message first."
    assert "at most 2000" in str(check_message_text("x" * (MAX_MESSAGE_LENGTH + 1)))
    assert check_message_text("x" * MAX_MESSAGE_LENGTH) is None
    assert "cannot be sent" in str(check_message_text("bell \x07"))
    assert "cannot be sent" in str(check_message_text("flip \u202e"))


def test_what_a_failed_send_says() -> None:
    assert "may have arrived" in send_failed_text(OutcomeUnknown("timeout"))
    assert "cannot be reached" in send_failed_text(ServerUnreachable("down"))
    refused = ApiError(422, "The text is not valid.")
    assert send_failed_text(refused) == "Not sent: The text is not valid."


def test_words_and_escaped_html() -> None:
    assert with_unread_mark("RX-1", 0) == with_unread_mark("RX-1", None) == "RX-1"
    assert with_unread_mark("RX-1", 3) == "RX-1 · 3 new"
    assert with_unread_mark("RX-1", 1, tooltip=True) == "RX-1\n1 unread message"
    assert unread_total_text(0) == "No unread messages"
    assert unread_total_text(1) == "1 unread message"
    assert unread_total_text(4) == "4 unread messages"
    mine = _message(1, "<b>x</b>\nsecond line", PRESCRIBER)
    assert author_line(mine, "d-1").startswith("You · ")
    assert author_line(_message(2, "y"), "d-1").startswith("Priya Nair, PharmD (pharmacy) · ")
    assert author_line(mine, "p-1").startswith("Dr. Maya Chen (prescriber) · ")
    thread = MessageThread("rx-1", messages=[mine])
    html = thread_html(thread, "d-1")
    assert "&lt;b&gt;x&lt;/b&gt;<br>second line" in html and "<b>x</b>" not in html
    assert "No messages yet" in thread_html(MessageThread("rx-1"), "d-1")
