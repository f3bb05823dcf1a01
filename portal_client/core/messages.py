"""A prescription's message thread on the client, without Qt: what the thread holds,
the key a send (and every retry of it) carries, and the words the windows show.

The text being sent stays in the box until the server answers; a retry of the same text
reuses its idempotency key, so a send whose answer was lost (a timeout) is never stored
twice. Unread counts come from the server (``PrescriptionWire.unread_messages``, the
``/messages/unread`` total); opening a thread marks it read up to its last message.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from pharmacy_domain.text_limits import MAX_MESSAGE_LENGTH
from pharmacy_domain.text_rules import forbidden_characters
from portal_client.core.errors import ApiError, OutcomeUnknown, PortalError, ServerUnreachable
from portal_client.core.i18n import translate
from portal_client.core.message_wire import MessagePage, MessageWire
from portal_client.core.prescription_list import format_timestamp


@dataclass
class PendingSend:
    """A message on its way: its text and the key every retry of that text carries."""

    text: str
    key: str


@dataclass
class MessageThread:
    """One prescription's thread as this window has it."""

    prescription_id: str
    messages: list[MessageWire] = field(default_factory=list)
    #: Ask the server with it for what came after the messages held.
    latest_cursor: str | None = None
    pending: PendingSend | None = None
    new_key: Callable[[], str] = lambda: str(uuid.uuid4())

    @property
    def last_seq(self) -> int:
        return self.messages[-1].seq if self.messages else 0

    def merge(self, page: MessagePage) -> bool:
        """Add what the server sent (a message already held is not doubled); True when
        anything new arrived."""
        held = {message.id for message in self.messages}
        fresh = [message for message in page.items if message.id not in held]
        self.messages.extend(fresh)
        self.messages.sort(key=lambda message: message.seq)
        self.latest_cursor = page.latest_cursor
        return bool(fresh)

    def begin_send(self, text: str) -> PendingSend:
        """The send of ``text``: a retry of the same text keeps the key of the first try
        (the server answers the stored message); other text gets a new key."""
        if self.pending is None or self.pending.text != text:
            self.pending = PendingSend(text, self.new_key())
        return self.pending

    def sent(self, message: MessageWire) -> None:
        """The server stored it: it joins the thread and the next send is a new message."""
        self.pending = None
        if all(held.id != message.id for held in self.messages):
            self.messages.append(message)
            self.messages.sort(key=lambda held: held.seq)


def check_message_text(text: str) -> str | None:
    """Why ``text`` cannot be sent (the server's own rules), or None."""
    if not text.strip():
        return translate("Messages", "Write a message first.")
    if len(text) > MAX_MESSAGE_LENGTH:
        return translate("Messages", "A message holds at most {limit} characters.").format(
            limit=MAX_MESSAGE_LENGTH
        )
    if forbidden_characters(text, multi_line=True) is not None:
        return translate("Messages", "The message holds characters that cannot be sent.")
    return None


def send_failed_text(error: Exception) -> str:
    """What the box says when a send failed; the text stays in it to send again."""
    if isinstance(error, OutcomeUnknown):
        return translate(
            "Messages",
            "No answer from the server: the message may have arrived. Send again: it will "
            "not be doubled.",
        )
    if isinstance(error, ServerUnreachable):
        return translate("Messages", "Not sent: the server cannot be reached. Send again later.")
    if isinstance(error, ApiError):
        return translate("Messages", "Not sent: {reason}").format(reason=str(error))
    if isinstance(error, PortalError):
        return translate("Messages", "Not sent: {reason}").format(reason=str(error))
    return translate("Messages", "Not sent: something went wrong.")


def with_unread_mark(reference: str, count: int | None, *, tooltip: bool = False) -> str:
    """A list row's reference with its unread messages: "RX-261204-0002 · 2 new" (the
    tooltip in full words); unchanged when none."""
    if not count:
        return reference
    if tooltip:
        return f"{reference}\n{unread_total_text(count)}"
    return translate("Messages", "{reference} · {count} new").format(
        reference=reference, count=count
    )


def unread_total_text(total: int) -> str:
    if total <= 0:
        return translate("Messages", "No unread messages")
    if total == 1:
        return translate("Messages", "1 unread message")
    return translate("Messages", "{count} unread messages").format(count=total)


def thread_title(count: int) -> str:
    if count == 0:
        return translate("Messages", "Messages")
    return translate("Messages", "Messages ({count})").format(count=count)


def author_line(message: MessageWire, viewer_id: str) -> str:
    """ "You · Today 14:32" or "Priya Nair, PharmD (pharmacy) · Tue 09:05", local time."""
    when = format_timestamp(message.created_at)
    if message.author.id == viewer_id:
        return translate("Messages", "You · {when}").format(when=when)
    if message.author.role == "pharmacist":
        return translate("Messages", "{name} (pharmacy) · {when}").format(
            name=message.author.display_name, when=when
        )
    return translate("Messages", "{name} (prescriber) · {when}").format(
        name=message.author.display_name, when=when
    )


def thread_html(thread: MessageThread, viewer_id: str) -> str:
    """The thread as escaped HTML, oldest first (the text is the user's, never markup)."""
    if not thread.messages:
        return "<p class='hint'>{}</p>".format(
            html.escape(translate("Messages", "No messages yet. Write to the other side below."))
        )
    parts = []
    for message in thread.messages:
        body = html.escape(message.text).replace("\n", "<br>")
        parts.append(
            f"<p style='margin:0 0 2px 0'><b>{html.escape(author_line(message, viewer_id))}"
            f"</b></p><p style='margin:0 0 10px 0'>{body}</p>"
        )
    return "".join(parts)
