"""The prescriber window's decisions, without Qt: what waits on this computer and on the
server, how the tabs count it, what a sign-out or quit would leave unsent, and which
pharmacist questions are new.

Outbox rows and draft summaries are the local store's objects; server drafts are
``ServerDraft``. Titles are patient names (PHI): shown, never logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.prescriber_pages import PrescriberListFetch, fetch_prescriber_list
from portal_client.core.server_drafts import ServerDraft

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.durable import DraftSummary, OutboxItem

#: Signed here, not yet confirmed by the pharmacy.
UNSENT_STATES = ("queued", "sending", "unknown")
#: Refused or waiting for the prescriber: reopen, or sign again.
ATTENTION_STATES = ("rejected", "mismatch", "needs_signature")
SENT_TAB = QT_TRANSLATE_NOOP("PrescriberWork", "Sent to the pharmacy")


@dataclass
class LocalWork:
    """The prescriber's drafts (this computer), outbox rows, and the server drafts clinic
    staff prepared for them (the signing queue)."""

    drafts: list[DraftSummary] = field(default_factory=list)
    outbox: list[OutboxItem] = field(default_factory=list)
    prepared: list[ServerDraft] = field(default_factory=list)
    #: Server drafts being deleted after their prescription was submitted.
    retiring: set[str] = field(default_factory=set)

    def signed_server_drafts(self) -> set[str]:
        """Server drafts already signed here (in the outbox, not handed back as a draft)."""
        return {
            item.draft_id
            for item in self.outbox
            if item.draft_id is not None and item.state.value != "rejected"
        }

    def prepared_queue(self) -> list[ServerDraft]:
        """Prepared drafts still to review and sign."""
        signed = self.signed_server_drafts()
        return [d for d in self.prepared if d.id not in signed and d.id not in self.retiring]

    def own_drafts(self) -> list[DraftSummary]:
        """Drafts of this computer; an opened prepared draft is autosaved under its server
        id, so it shows once (in the queue), not twice."""
        queued = {d.id for d in self.prepared_queue()}
        return [d for d in self.drafts if d.id not in queued]

    def drafts_tab_label(self) -> str:
        own, queue = self.own_drafts(), self.prepared_queue()
        label = translate("PrescriberWork", "Drafts")
        if own or queue:
            label += f" ({len(own) + len(queue)})"
        if queue:
            label += translate("PrescriberWork", " · {count} prepared for you").format(
                count=len(queue)
            )
        return label

    @property
    def unsent(self) -> int:
        return sum(1 for i in self.outbox if i.state.value in UNSENT_STATES)

    @property
    def needing_attention(self) -> int:
        return sum(1 for i in self.outbox if i.state.value in ATTENTION_STATES)

    def outbox_tab_label(self) -> str:
        label = translate("PrescriberWork", "Outbox")
        if self.unsent:
            label += translate("PrescriberWork", " · {unsent} waiting").format(unsent=self.unsent)
        if self.needing_attention:
            label += translate("PrescriberWork", " · {needing_attention} to act on").format(
                needing_attention=self.needing_attention
            )
        return label

    def to_retire(self) -> list[str]:
        """Server drafts whose prescription the pharmacy now has, not yet being deleted."""
        submitted = {
            item.draft_id
            for item in self.outbox
            if item.draft_id is not None and item.state.value == "submitted"
        }
        return [d.id for d in self.prepared if d.id in submitted and d.id not in self.retiring]

    def unsent_sentence(self, *, persistent: bool) -> str:
        """Unsent or refused prescriptions, in words ("" when nothing waits); said before a
        sign-out or quit. ``persistent``: the store survives a restart (a keyring)."""
        unsent, attention = self.unsent, self.needing_attention
        if not unsent and not attention:
            return ""
        parts = []
        if unsent:
            parts.append(
                translate(
                    "PrescriberWork", "1 signed prescription is not yet confirmed by the pharmacy."
                )
                if unsent == 1
                else translate(
                    "PrescriberWork",
                    "{count} signed prescriptions are not yet confirmed by the pharmacy.",
                ).format(count=unsent)
            )
        if attention:
            parts.append(
                translate("PrescriberWork", "1 prescription needs your attention.")
                if attention == 1
                else translate(
                    "PrescriberWork", "{count} prescriptions need your attention."
                ).format(count=attention)
            )
        if not persistent:
            parts.append(
                translate(
                    "PrescriberWork",
                    "Without a system keyring they are kept in memory only and will be "
                    "LOST when you leave.",
                )
            )
        else:
            parts.append(
                translate(
                    "PrescriberWork",
                    "They stay safely on this computer and are sent the next time you sign in.",
                )
            )
        return " ".join(parts)


def drafts_waiting_message(count: int) -> str:
    """Said once after sign-in when drafts wait on this computer ("" for none)."""
    if not count:
        return ""
    if count == 1:
        return translate(
            "PrescriberWork",
            "1 draft is waiting where you left it. Open the Drafts tab to continue.",
        )
    return translate(
        "PrescriberWork",
        "{count} drafts are waiting where you left them. Open the Drafts tab to continue.",
    ).format(count=count)


def sent_tab_label(questions: int) -> str:
    tab = translate("PrescriberWork", SENT_TAB)
    if not questions:
        return tab
    if questions == 1:
        return translate("PrescriberWork", "{tab} · 1 question for you").format(tab=tab)
    return translate("PrescriberWork", "{tab} · {count} questions for you").format(
        tab=tab, count=questions
    )


@dataclass(frozen=True)
class Question:
    """A sent prescription on which a pharmacist asked a question (``needs_clarification``)."""

    id: str
    reference: str
    patient: str


@dataclass
class QuestionWatch:
    """Which pharmacist questions a refresh found that the previous one did not."""

    #: The questions as of the last refresh (None: no refresh yet).
    seen: set[str] | None = None

    def update(
        self, questions: Sequence[Question], *, banner_shown: bool
    ) -> list[tuple[str, str]] | None:
        """(reference, patient) to announce; [] to leave the banner as it is; None to
        clear it (no question is open)."""
        current = {q.id for q in questions}
        seen, self.seen = self.seen, current
        if not current:
            return None
        new = [(q.reference, q.patient) for q in questions if seen is None or q.id not in seen]
        if not new and banner_shown and seen != current:
            new = [(q.reference, q.patient) for q in questions]  # one was answered: the rest
        return new


@dataclass
class PrescriberFetch:
    """One refresh: what was sent (a first page, or what changed since the last one; see
    ``prescriber_pages``), and the drafts clinic staff prepared on the server."""

    listing: PrescriberListFetch
    prepared: list[ServerDraft]


def fetch_sent_and_prepared(
    client: ApiClient, prescriber_id: str, changes_cursor: str | None = None
) -> PrescriberFetch:
    """One refresh (worker thread): what was sent, and the drafts prepared for the prescriber."""
    listing = fetch_prescriber_list(client, changes_cursor)
    prepared = [ServerDraft.from_wire(item) for item in client.list_drafts()]
    # A prescriber's own drafts live on this computer; the server's are staff-prepared.
    return PrescriberFetch(listing, [d for d in prepared if d.prescriber_id == prescriber_id])
