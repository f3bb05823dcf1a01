"""The prescriber window's decisions without Qt: the signing queue, tab counts, the
sentence before leaving, new pharmacist questions."""

from __future__ import annotations

from portal_client.core.durable import DraftSummary, OutboxItem
from portal_client.core.durable.outbox import State, Why
from portal_client.core.prescriber_work import (
    SENT_TAB,
    LocalWork,
    Question,
    QuestionWatch,
    drafts_waiting_message,
    sent_tab_label,
)
from portal_client.core.server_drafts import ServerDraft


def row(key: str, state: State, draft_id: str | None = None) -> OutboxItem:
    return OutboxItem(
        idempotency_key=key,
        draft_id=draft_id,
        title="HOPPER, Grace",
        state=state,
        why=Why.NONE,
        attempts=0,
        signed_at=0.0,
        next_attempt_at=0.0,
        updated_at=0.0,
        server_id=None,
        server_reference=None,
        server_status=None,
        detail=None,
        field_errors=(),
    )


def draft(draft_id: str) -> DraftSummary:
    return DraftSummary(id=draft_id, updated_at=0.0, template_id=None, title="Untitled draft")


def prepared(draft_id: str) -> ServerDraft:
    return ServerDraft(draft_id, "p1", 1, None, {})


def test_the_queue_leaves_out_what_was_signed_here_and_what_is_being_removed() -> None:
    work = LocalWork(
        drafts=[draft("own"), draft("s-open")],  # s-open: a prepared draft opened here
        outbox=[
            row("k1", State.QUEUED, "s-signed"),
            row("k2", State.REJECTED, "s-refused"),  # handed back: in the queue again
        ],
        prepared=[prepared(i) for i in ("s-open", "s-signed", "s-refused", "s-going")],
        retiring={"s-going"},
    )
    assert work.signed_server_drafts() == {"s-signed"}
    assert [d.id for d in work.prepared_queue()] == ["s-open", "s-refused"]
    assert [d.id for d in work.own_drafts()] == ["own"]  # s-open shows once, in the queue
    assert work.drafts_tab_label() == "Drafts (3) · 2 prepared for you"
    assert LocalWork().drafts_tab_label() == "Drafts"
    assert LocalWork(drafts=[draft("a")]).drafts_tab_label() == "Drafts (1)"


def test_submitted_server_drafts_are_retired_once() -> None:
    work = LocalWork(
        outbox=[row("k1", State.SUBMITTED, "s1"), row("k2", State.SENDING, "s2")],
        prepared=[prepared("s1"), prepared("s2")],
    )
    assert work.to_retire() == ["s1"]
    work.retiring.add("s1")
    assert work.to_retire() == []


def test_the_outbox_tab_counts_what_waits_and_what_needs_the_prescriber() -> None:
    work = LocalWork(
        outbox=[
            row("a", State.QUEUED),
            row("b", State.UNKNOWN),
            row("c", State.SUBMITTED),
            row("d", State.NEEDS_SIGNATURE),
        ]
    )
    assert (work.unsent, work.needing_attention) == (2, 1)
    assert work.outbox_tab_label() == "Outbox · 2 waiting · 1 to act on"
    assert LocalWork(outbox=[row("c", State.SUBMITTED)]).outbox_tab_label() == "Outbox"


def test_leaving_with_unsent_work_says_what_happens_to_it() -> None:
    assert LocalWork(outbox=[row("c", State.SUBMITTED)]).unsent_sentence(persistent=True) == ""
    one = LocalWork(outbox=[row("a", State.SENDING)])
    assert one.unsent_sentence(persistent=True) == (
        "1 signed prescription is not yet confirmed by the pharmacy. "
        "They stay safely on this computer and are sent the next time you sign in."
    )
    many = LocalWork(
        outbox=[row("a", State.QUEUED), row("b", State.QUEUED), row("m", State.MISMATCH)]
    )
    sentence = many.unsent_sentence(persistent=False)
    assert sentence.startswith("2 signed prescriptions are not yet confirmed")
    assert "1 prescription needs your attention." in sentence
    assert "will be LOST when you leave" in sentence


def test_tab_and_banner_wording() -> None:
    assert sent_tab_label(0) == SENT_TAB
    assert sent_tab_label(1) == f"{SENT_TAB} · 1 question for you"
    assert sent_tab_label(3) == f"{SENT_TAB} · 3 questions for you"
    assert drafts_waiting_message(0) == ""
    assert drafts_waiting_message(1).startswith("1 draft is waiting where you left it.")
    assert drafts_waiting_message(2).startswith("2 drafts are waiting where you left them.")


def test_only_new_questions_are_announced_and_an_answer_names_the_rest() -> None:
    watch = QuestionWatch()
    q1, q2 = Question("1", "RX-1", "HOPPER, Grace"), Question("2", "RX-2", "LOVELACE, Ada")
    assert watch.update([q1], banner_shown=False) == [("RX-1", "HOPPER, Grace")]
    assert watch.update([q1], banner_shown=True) == []  # nothing new: the banner stays
    assert watch.update([q1, q2], banner_shown=True) == [("RX-2", "LOVELACE, Ada")]
    # RX-1 was answered; the banner still speaks of both, so it names what is left.
    assert watch.update([q2], banner_shown=True) == [("RX-2", "LOVELACE, Ada")]
    assert watch.update([q2], banner_shown=False) == []  # dismissed, nothing new
    assert watch.update([], banner_shown=True) is None  # no question open: clear it
