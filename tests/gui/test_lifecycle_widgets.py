"""The lifecycle's widgets with a stand-in pharmacy that follows the domain's own table:
which buttons each status offers, the note dialog's checks, text kept through a refusal it
can fix, a conflict explained, a step decided on an out-of-date view refused, a lost answer
checked rather than called "not sent". (tests/gui/test_lifecycle.py runs the whole path
against the real server.)"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pharmacy_domain.status import (
    ACTIONS,
    MAX_NOTE_LENGTH,
    Action,
    NoteRule,
    PrescriptionStatus,
    available_actions,
)
from portal_client.core.api_client import Page, SignedInUser
from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.wire import (
    DraftWire,
    ErrorWire,
    FavoriteWire,
    FieldErrorWire,
    PrescriptionWire,
    parse,
)
from portal_client.gui import ops
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.helpers.wire_samples import CLINIC, prescription_answer, signed_answer

PHARMACIST = SignedInUser("u-ph", "pharmacist1", "pharmacist", "Priya Nair")
PRESCRIBER = SignedInUser("u-pr", "prescriber1", "prescriber", "Dr. Maya Chen")
COLLEAGUE = SignedInUser("u-ph2", "pharmacist2", "pharmacist", "Sam Okafor")
NO_ANSWER = "The pharmacy server did not answer in time."


def actor(user: SignedInUser) -> dict[str, str]:
    return {"id": user.id, "display_name": user.display_name, "role": user.role}


class StandInPharmacy:
    """Just enough of ``ApiClient`` for the two windows, refusing what the domain's table
    (``ACTIONS``: role, note, source status) refuses, as the server does, and an out-of-date
    ``seen_steps``. ``fail_next`` makes the next ``act`` raise
    instead (then it works); ``lose_answer_next`` records the next one but raises
    ``OutcomeUnknown`` as if its answer never came."""

    base_url = "http://stand-in"

    def __init__(self, user: SignedInUser, store: dict[str, dict[str, Any]]) -> None:
        self.user = user
        self.store = store
        self.lock = threading.Lock()
        self.sent: list[tuple[str, str, str | None]] = []
        self.seen: list[int | None] = []  # each act's seen_steps
        self.fail_next: Exception | None = None
        self.lose_answer_next = False
        self.gets = 0
        #: Holds the next list answer (already read) until set: a refresh in flight.
        self.hold_next_list: threading.Event | None = None
        self.lists = 0

    def templates(self) -> list[Any]:
        return []

    def list_drafts(self) -> list[DraftWire]:
        return []

    def list_favorites(self) -> list[FavoriteWire]:
        return []

    def all_prescriptions(
        self, status: str | None = None, page_size: int = 100, *, sort: str = "newest"
    ) -> Page:
        with self.lock:
            items = [answer(p) for p in self.store.values() if status in (None, p["status"])]
            self.lists += 1
        hold, self.hold_next_list = self.hold_next_list, None
        if hold is not None:
            hold.wait(10)
        return Page(tuple(items), len(items))

    def list_prescriptions(
        self, status: str | None = None, cursor: str | None = None, limit: int = 50, **_: object
    ) -> Page:
        return self.all_prescriptions(status)

    def get_prescription(self, prescription_id: str) -> PrescriptionWire:
        with self.lock:
            self.gets += 1
            return answer(self.store[prescription_id])

    def act(
        self,
        prescription_id: str,
        action: str,
        note: str | None = None,
        *,
        seen_steps: int | None = None,
    ) -> PrescriptionWire:
        failure, self.fail_next = self.fail_next, None
        if failure is not None:
            raise failure
        with self.lock:
            self.sent.append((prescription_id, action, note))
            self.seen.append(seen_steps)
            item = self.store[prescription_id]
            rule = ACTIONS[action]
            refused = refusal(rule, self.user.role, note)
            if refused is not None:
                raise refused
            current = PrescriptionStatus(item["status"])
            if not rule.allowed_from(current):
                raise conflict(
                    "prescription.status_changed", f"This prescription is {current.value} now."
                )
            if seen_steps is not None and seen_steps != len(item["history"]):
                last = item["history"][-1]
                raise conflict(
                    "prescription.changed_since_seen",
                    f"Since you opened it, {last['actor']['display_name']} "
                    f"{ACTIONS[last['action']].past}. Look at it again first.",
                )
            item["history"] = [
                *item["history"],
                history_entry(action, current.value, rule.target.value, self.user, note),
            ]
            item["status"] = rule.target.value
            updated = answer(item)
        lose, self.lose_answer_next = self.lose_answer_next, False
        if lose:
            raise OutcomeUnknown(NO_ANSWER)
        return updated


def refusal(rule: Action, role: str, note: str | None) -> ApiError | None:
    """What the table says against taking ``rule`` before the status is looked at: the
    wrong role (403), a required note missing or a note too long (422)."""
    if role not in rule.roles:
        who = " or ".join(f"{name}s" for name in sorted(rule.roles))
        detail = f"Only {who} can {rule.phrase('a prescription')}."
        return ApiError(403, detail, answer=ErrorWire(detail, code="forbidden"))
    note = (note or "").strip() or None
    if note is None and rule.note is NoteRule.REQUIRED:
        reason = f"is required to {rule.phrase()}"
        return ApiError(422, f"{rule.note_label} is required.", [FieldErrorWire("note", reason)])
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        reason = f"must be at most {MAX_NOTE_LENGTH} characters"
        return ApiError(422, f"{rule.note_label} is too long.", [FieldErrorWire("note", reason)])
    return None


def answer(item: dict[str, Any]) -> PrescriptionWire:
    """``item`` as ``ApiClient`` hands an answer on: read against the contract."""
    return parse(PrescriptionWire, item)


def shown_status(window: Any) -> str | None:
    """The status of the prescription selected in ``window``'s list (None: none is)."""
    current = window.browser.current()
    return None if current is None else str(current.status)


def conflict(code: str, detail: str) -> ApiError:
    return ApiError(409, detail, answer=ErrorWire(detail, code=code))


def history_entry(
    action: str, before: str | None, after: str, user: SignedInUser, note: str | None
) -> dict[str, Any]:
    return {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "action": action,
        "from_status": before,
        "status": after,
        "actor": actor(user),
        "note": note,
    }


def prescription(number: int, status: str = "submitted") -> dict[str, Any]:
    item: dict[str, Any] = signed_answer(
        prescription_answer(
            id=f"id-{number}",
            reference=f"RX-{number:04d}",
            status="submitted",
            created_at=f"2026-11-{number:02d}T10:00:00Z",
            template_id="myers-infusion",
            template_name="Myers' cocktail",
            patient={"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1980-02-03"},
            prescriber=actor(PRESCRIBER) | {"clinic": CLINIC},
            history=[history_entry("submit", None, "submitted", PRESCRIBER, None)],
        )
    )
    if status == "needs_clarification":
        item["history"].append(
            history_entry(
                "request_clarification", "submitted", status, PHARMACIST, "Which G6PD result?"
            )
        )
    item["status"] = status
    return item


@pytest.fixture
def store() -> dict[str, dict[str, Any]]:
    statuses = ["submitted", "needs_clarification", "approved", "compounding", "ready"]
    statuses += ["shipped", "rejected", "cancelled"]
    return {f"id-{n}": prescription(n, status) for n, status in enumerate(statuses, start=1)}


def pharmacist_window(
    qtbot: QtBot, client: StandInPharmacy, status_filter: str = "all"
) -> PharmacistWindow:
    window = PharmacistWindow(client, PHARMACIST, status_filter=status_filter)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: bool(window.browser.model.state.rows), timeout=10_000)
    return window


def pharmacist_on_first_row(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> tuple[StandInPharmacy, PharmacistWindow]:
    """A pharmacist's window over the stand-in pharmacy, its first prescription selected."""
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.browser.select("id-1")
    return client, window


def prescriber_window(qtbot: QtBot, client: StandInPharmacy) -> PrescriberWindow:
    def no_store(_client: object, _user: object) -> Any:
        raise OSError("no local store in this test")

    window = PrescriberWindow(client, PRESCRIBER, store_opener=no_store)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: bool(window.browser.model.state.rows), timeout=10_000)
    return window


def shown(window: PharmacistWindow) -> list[str]:
    return [name for name, button in window.action_buttons.items() if button.isVisible()]


def wait_until_sent(qtbot: QtBot, client: StandInPharmacy, count: int) -> None:
    qtbot.waitUntil(lambda: len(client.sent) == count, timeout=10_000)


# ------------------------------------------------------------------------------ pharmacist


def test_each_status_offers_the_pharmacists_next_steps(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    window = pharmacist_window(qtbot, StandInPharmacy(PHARMACIST, store))
    expected = {
        "submitted": ["reject", "request_clarification", "approve"],
        "needs_clarification": ["reject"],
        "approved": ["start_compounding"],
        "compounding": ["mark_ready"],
        "ready": ["ship"],
        "shipped": [],
        "rejected": [],
        "cancelled": [],
    }
    for item in store.values():
        window.browser.select(item["id"])
        assert shown(window) == expected[item["status"]], item["status"]
    window.browser.select("id-2")
    assert window.action_hint.text() == "Waiting for the prescriber's answer."
    assert "Question from Priya Nair" in window.browser.detail.toPlainText()
    window.browser.select("id-6")
    assert window.action_hint.text() == "Nothing more to do: this prescription is shipped."
    # The table words the status for the pharmacist; the tooltip has it in full.
    model = window.browser.model
    index = model.index(model.row_for("id-2") or 0, model.column_of("status"))
    assert index.data() == "Waiting for prescriber"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Pharmacist asked a question"


def test_the_filter_lists_every_status_in_the_order_work_flows(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    window = pharmacist_window(qtbot, StandInPharmacy(PHARMACIST, store), "needs_clarification")
    items = [window.filter.itemText(i) for i in range(window.filter.count())]
    assert items == [
        "To review",
        "Waiting for the prescriber",
        "Approved",
        "Being compounded",
        "Ready to ship",
        "Shipped",
        "Rejected",
        "Cancelled",
        "All",
    ]
    assert window.status_filter == "needs_clarification"  # the remembered one
    assert [r.id for r in window.browser.model.state.rows] == ["id-2"]
    with qtbot.waitSignal(window.filter_changed) as changed:
        window.show_filter("ready")
    assert changed.args == ["ready"]
    qtbot.waitUntil(lambda: [r.id for r in window.browser.model.state.rows] == ["id-5"])
    assert window.count_badge.text() == "1"  # still: what waits for review


def test_forward_steps_confirm_in_place_and_escape_changes_the_mind(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.browser.select("id-3")  # approved
    window.action_buttons["start_compounding"].click()
    assert window.confirming == "start_compounding" and window.confirm_bar.isVisible()
    assert "RX-0003" in window.confirm_text.text()
    assert window.focusWidget() is window.confirm_button
    qtbot.keyClick(window.confirm_button, Qt.Key.Key_Escape)
    assert window.confirming is None and client.sent == []
    window.action_buttons["start_compounding"].click()
    with qtbot.waitSignal(window.acted, timeout=10_000) as acted:
        qtbot.keyClick(window.confirm_button, Qt.Key.Key_Return)
    assert acted.args[0].status == "compounding"
    assert client.sent == [("id-3", "start_compounding", None)]
    assert window.banner.label.text() == "RX-0003 is being compounded."
    qtbot.waitUntil(lambda: shown(window) == ["mark_ready"])


def test_a_required_note_left_empty_keeps_the_dialog_and_says_why(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.ask_button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Ask the prescriber — RX-0001"
    assert "Lovelace" not in dialog.windowTitle() and "LOVELACE" not in dialog.windowTitle()
    assert dialog.note_label.text() == "Question for the prescriber"
    qtbot.keyClicks(dialog.note, "   ")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert dialog.problem.text() == "Write the question for the prescriber first: it is required."
    dialog.note.setPlainText("x" * (MAX_NOTE_LENGTH + 1))
    dialog.ok_button.click()
    assert "Shorten it by 1" in dialog.problem.text() and dialog.isVisible()
    assert dialog.note.toPlainText() == "x" * (MAX_NOTE_LENGTH + 1)  # the text stays
    assert client.sent == []
    dialog.note.setPlainText("Which <G6PD> result?")
    assert not dialog.problem.isVisible()  # fixed: the message goes
    with qtbot.waitSignal(window.acted, timeout=10_000) as acted:
        dialog.ok_button.click()
    assert acted.args[0].status == "needs_clarification"
    assert client.sent == [("id-1", "request_clarification", "Which <G6PD> result?")]
    qtbot.waitUntil(lambda: window.action_dialog is None)
    assert "Waiting for the prescriber" in window.banner.label.text()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ServerUnreachable("Cannot reach the pharmacy server."), "Your text is kept"),
        (
            ApiError(422, "The note is not valid.", [FieldErrorWire("note", "too long")]),
            "The pharmacy refused it: The note is not valid. (too long)",
        ),
    ],
)
def test_a_refusal_the_dialog_can_fix_keeps_the_text(
    qtbot: QtBot, store: dict[str, dict[str, Any]], error: Exception, words: str
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.browser.select("id-5")  # ready
    window.action_buttons["ship"].click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.note_label.text().endswith("(optional)")
    dialog.note.setPlainText("UPS 1Z999")
    client.fail_next = error
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisible() and not dialog.busy, timeout=10_000)
    assert words in dialog.problem.text()
    assert dialog.isVisible() and dialog.note.toPlainText() == "UPS 1Z999"
    with qtbot.waitSignal(window.acted, timeout=10_000):
        dialog.ok_button.click()  # again, the same text
    assert client.sent == [("id-5", "ship", "UPS 1Z999")]


def test_a_closed_dialog_gives_its_text_back_when_reopened(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    window = pharmacist_window(qtbot, StandInPharmacy(PHARMACIST, store))
    window.browser.select("id-1")
    window.ask_button.click()
    dialog = window.action_dialog
    assert dialog is not None
    dialog.note.setPlainText("Half a question")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.action_dialog is None)
    window.ask_button.click()
    assert window.action_dialog is not None
    assert window.action_dialog.note.toPlainText() == "Half a question"
    window.action_dialog.reject()


def test_the_lock_hides_the_dialog_and_gives_it_back_with_its_text(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.ask_button.click()
    dialog = window.action_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.note, "Which G6PD result?")
    window.lock()
    assert not dialog.isVisible()
    window.unlock()
    assert dialog.isVisible() and dialog.note.toPlainText() == "Which G6PD result?"
    with qtbot.waitSignal(window.acted, timeout=10_000):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert client.sent == [("id-1", "request_clarification", "Which G6PD result?")]


def test_a_conflict_says_who_moved_it_and_shows_the_row_as_it_is(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    _client, window = pharmacist_on_first_row(qtbot, store)
    window.approve_button.click()
    # Meanwhile a colleague asks the prescriber a question.
    colleague = StandInPharmacy(PHARMACIST, store)
    colleague.act("id-1", "request_clarification", "Dose?")
    window.confirm_button.click()
    qtbot.waitUntil(lambda: window.banner.kind == "warn", timeout=10_000)
    text = window.banner.label.text()
    assert text.startswith("RX-0001 was changed by someone else")
    assert "This prescription is needs_clarification now." in text
    qtbot.waitUntil(lambda: window.browser.current() is not None)
    qtbot.waitUntil(
        lambda: shown_status(window) == "needs_clarification",
        timeout=10_000,
    )
    assert shown(window) == ["reject"]
    assert "Dose?" in window.browser.detail.toPlainText()


@pytest.mark.parametrize("action", ["request_clarification", "reject"])
def test_an_ended_session_keeps_the_dialog_for_after_the_sign_in(
    qtbot: QtBot, store: dict[str, dict[str, Any]], action: str
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.action_buttons[action].click()
    dialog = window.action_dialog
    assert dialog is not None
    dialog.note.setPlainText("Which result?")
    client.fail_next = NotSignedIn("Your session has ended.")
    with qtbot.waitSignal(window.session_expired, timeout=10_000):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert window.is_locked
    assert dialog.note.toPlainText() == "Which result?" and "session ended" in dialog.problem.text()
    dialog.reject()


def test_a_refresh_asked_while_one_is_in_flight_shows_the_newer_answer(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client, "all")
    window.browser.select("id-1")
    shown: list[str] = []
    window.browser.rendered.connect(lambda item: shown.append(item.status if item else ""))
    release = threading.Event()
    client.hold_next_list = release
    lists_before = client.lists
    window.refresh()  # reads the list, then waits: its answer predates the change below
    qtbot.waitUntil(lambda: client.lists > lists_before)
    store["id-1"]["status"] = "approved"  # e.g. an action taken meanwhile
    window.refresh()  # asked while the other is in flight
    release.set()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] == "approved", timeout=10_000)
    assert "submitted" not in shown  # the stale answer was never shown


# ------------------------------------------------------------------------------ prescriber


def test_the_prescriber_sees_the_question_answers_it_or_cancels(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PRESCRIBER, store)
    window = prescriber_window(qtbot, client)
    assert window.count_label.text() == "8 sent · 1 awaiting review · 1 question for you"
    assert window.tabs.tabText(0) == "Sent to the pharmacy · 1 question for you"
    assert window.question_banner.isVisible()
    assert "RX-0002 (LOVELACE, Ada)" in window.question_banner.label.text()
    assert "Lovelace" not in window.windowTitle() and "LOVELACE" not in window.windowTitle()

    def offered() -> list[str]:
        buttons = {"answer": window.answer_button, "cancel": window.cancel_button}
        return [name for name, button in buttons.items() if button.isVisible()]

    for number, expected in [(1, ["cancel"]), (3, []), (6, []), (2, ["answer", "cancel"])]:
        window.browser.select(f"id-{number}")
        assert offered() == expected, number
    detail = window.browser.detail.toPlainText()
    assert detail.index("Which G6PD result?") < detail.index("PATIENT")
    assert "Waiting for your answer: “Answer the pharmacist…” below." in detail

    window.answer_button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.windowTitle() == "Answer the pharmacist — RX-0002"
    assert dialog.question_label is not None
    assert "Which G6PD result?" in dialog.question_label.text()
    dialog.ok_button.click()
    assert dialog.problem.text() == "Write the answer for the pharmacist first: it is required."
    dialog.note.setPlainText("The one dated 1 Oct: normal.")
    with qtbot.waitSignal(window.acted, timeout=10_000) as acted:
        dialog.ok_button.click()
    assert acted.args[0].status == "submitted"
    qtbot.waitUntil(lambda: not window.question_banner.isVisible(), timeout=10_000)
    assert window.count_label.text() == "8 sent · 2 awaiting review"
    assert window.tabs.tabText(0) == "Sent to the pharmacy"
    assert offered() == ["cancel"]

    window.cancel_button.click()
    cancel = window.action_dialog
    assert cancel is not None
    assert cancel.ok_button.objectName() == "Danger"
    assert cancel.back_button.text() == "Keep the prescription"
    assert "cannot be undone" in " ".join(
        label.text() for label in cancel.findChildren(type(cancel.note_label))
    )
    cancel.note.setPlainText("Patient moved away")
    with qtbot.waitSignal(window.acted, timeout=10_000):
        cancel.ok_button.click()
    assert client.sent[-1] == ("id-2", "cancel", "Patient moved away")
    index = window.browser.model.row_for("id-2")
    assert index is not None
    model = window.browser.model
    assert model.index(index, model.column_of("status")).data() == "Cancelled"
    qtbot.waitUntil(lambda: offered() == [])


def test_a_new_question_found_by_a_refresh_is_announced(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    for item in store.values():
        if item["status"] == "needs_clarification":
            item["status"] = "shipped"  # no question to begin with
    client = StandInPharmacy(PRESCRIBER, store)
    window = prescriber_window(qtbot, client)
    assert not window.question_banner.isVisible()
    StandInPharmacy(PHARMACIST, store).act("id-1", "request_clarification", "Weight?")
    refreshed: Callable[[], bool] = lambda: "RX-0001" in window.question_banner.label.text()  # noqa: E731
    window.refresh()
    qtbot.waitUntil(refreshed, timeout=10_000)
    assert window.question_banner.isVisible()
    model = window.browser.model
    row = model.row_for("id-1")
    assert row is not None and model.index(row, model.column_of("status")).data() == (
        "Question for you"
    )


# ------------------------------------------------------- out-of-date views and lost answers


def asked_and_answered(store: dict[str, dict[str, Any]], prescription_id: str) -> None:
    """Elsewhere: a colleague asks the prescriber a question and the prescriber answers
    (the status is "submitted" again, the history two steps longer)."""
    StandInPharmacy(COLLEAGUE, store).act(prescription_id, "request_clarification", "Dose?")
    StandInPharmacy(PRESCRIBER, store).act(prescription_id, "answer_clarification", "2 g.")


def test_every_action_says_how_many_steps_were_shown(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.browser.select("id-3")  # approved: one step shown
    window.action_buttons["start_compounding"].click()
    with qtbot.waitSignal(window.acted, timeout=10_000):
        window.confirm_button.click()
    window.browser.select("id-2")  # a question asked: two steps shown
    window.reject_button.click()
    dialog = window.action_dialog
    assert dialog is not None
    dialog.note.setPlainText("No G6PD result on file.")
    with qtbot.waitSignal(window.acted, timeout=10_000):
        dialog.ok_button.click()
    assert client.seen == [1, 2]


def test_an_answer_arriving_by_refresh_withdraws_the_confirmation(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.approve_button.click()
    assert window.confirming == "approve"
    asked_and_answered(store, "id-1")  # same status as before, two steps more
    window.refresh()
    qtbot.waitUntil(lambda: window.confirming is None, timeout=10_000)
    assert not window.confirm_bar.isVisible()
    text = window.banner.label.text()
    assert text.startswith("RX-0001 changed while you were deciding: answered by Dr. Maya Chen")
    assert window.banner.kind == "warn"
    assert "2 g." in window.browser.detail.toPlainText()  # the answer is in sight now
    window.confirm_button.click()  # a stray click on the hidden bar sends nothing
    assert client.sent == [] and shown(window) == ["reject", "request_clarification", "approve"]


def test_a_step_the_screen_had_not_shown_is_refused_explained_and_its_text_kept(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.refresh_timer.stop()  # the screen stays as it was when the pharmacist decided
    window.browser.select("id-1")
    window.reject_button.click()
    dialog = window.action_dialog
    assert dialog is not None
    asked_and_answered(store, "id-1")
    dialog.note.setPlainText("Magnesium too high.")
    lists_before = client.lists
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.action_dialog is None, timeout=10_000)
    assert client.seen[-1] == 1 and store["id-1"]["status"] == "submitted"
    text = window.banner.label.text()
    assert text.startswith("Nothing was recorded for RX-0001: Since you opened it, Dr. Maya Chen")
    # The row as it is now, the answer in sight; the list fetched again too.
    qtbot.waitUntil(lambda: "2 g." in window.browser.detail.toPlainText(), timeout=10_000)
    qtbot.waitUntil(lambda: client.lists > lists_before, timeout=10_000)
    window.reject_button.click()  # the reason waited for the second look
    again = window.action_dialog
    assert again is not None and again.note.toPlainText() == "Magnesium too high."
    with qtbot.waitSignal(window.reviewed, timeout=10_000) as reviewed:
        again.ok_button.click()
    assert reviewed.args[0].status == "rejected" and client.seen[-1] == 3


def test_after_a_conflict_a_row_that_left_the_list_goes_and_the_count_follows(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client, "submitted")
    window.refresh_timer.stop()
    assert [r.id for r in window.browser.model.state.rows] == ["id-1"]
    assert window.count_badge.text() == "1"
    window.browser.select("id-1")
    window.approve_button.click()
    StandInPharmacy(PRESCRIBER, store).act("id-1", "cancel", "Patient moved away")
    window.confirm_button.click()
    qtbot.waitUntil(lambda: window.browser.model.row_for("id-1") is None, timeout=10_000)
    qtbot.waitUntil(lambda: window.count_badge.text() == "0", timeout=10_000)
    assert "cancelled by Dr. Maya Chen" in window.banner.label.text()
    assert window.browser.current() is None and shown(window) == []


@pytest.mark.parametrize("how", ["dialog", "in place"])
def test_a_step_whose_answer_was_lost_but_recorded_is_done(
    qtbot: QtBot, store: dict[str, dict[str, Any]], how: str
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    client.lose_answer_next = True
    if how == "dialog":
        window.browser.select("id-5")  # ready
        window.action_buttons["ship"].click()
        dialog = window.action_dialog
        assert dialog is not None
        dialog.note.setPlainText("UPS 1Z999")
        with qtbot.waitSignal(window.acted, timeout=10_000) as acted:
            dialog.ok_button.click()
        qtbot.waitUntil(lambda: window.action_dialog is None)
        assert window.banner.label.text() == "RX-0005 marked shipped."
    else:
        window.browser.select("id-1")
        window.approve_button.click()
        with qtbot.waitSignal(window.acted, timeout=10_000) as acted:
            window.confirm_button.click()
        assert window.banner.label.text() == "RX-0001 approved."
    assert acted.args[0].status in ("shipped", "approved")
    assert client.gets == 1 and len(client.sent) == 1  # checked once, never sent twice
    assert window.banner.kind == "info"


def test_no_answer_and_no_such_step_is_called_unknown_with_the_row_as_it_is_and_the_text(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client)
    window.browser.select("id-5")
    window.action_buttons["ship"].click()
    dialog = window.action_dialog
    assert dialog is not None
    dialog.note.setPlainText("UPS 1Z999")
    # The request is lost; meanwhile a colleague ships it themselves.
    StandInPharmacy(COLLEAGUE, store).act("id-5", "ship", "FedEx 42")
    client.fail_next = OutcomeUnknown(NO_ANSWER)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisible() and not dialog.busy, timeout=10_000)
    problem = dialog.problem.text()
    assert "not known whether your “shipped” mark for RX-0005 was recorded" in problem
    assert "Not sent" not in problem and problem.endswith("Your text is kept.")
    assert dialog.isVisible() and dialog.note.toPlainText() == "UPS 1Z999"
    qtbot.waitUntil(lambda: "FedEx 42" in window.browser.detail.toPlainText(), timeout=10_000)
    assert shown_status(window) == "shipped"
    dialog.reject()


def test_no_answer_to_a_step_confirmed_in_place_is_called_unknown(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.approve_button.click()
    client.fail_next = OutcomeUnknown(NO_ANSWER)
    window.confirm_button.click()
    qtbot.waitUntil(lambda: window.banner.kind == "warn", timeout=10_000)
    text = window.banner.label.text()
    assert text.startswith(
        "The pharmacy did not answer, so it is not known whether your approval for RX-0001"
    )
    assert "Nothing was recorded" not in text and client.gets == 1
    qtbot.waitUntil(lambda: not window.lifecycle.busy)
    assert shown(window) == ["reject", "request_clarification", "approve"]  # as it is now


def test_reject_asks_for_its_reason_in_the_note_dialog_and_keeps_it(
    qtbot: QtBot, store: dict[str, dict[str, Any]]
) -> None:
    client, window = pharmacist_on_first_row(qtbot, store)
    window.reject_button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "Reject — RX-0001"
    assert dialog.ok_button.text() == "Reject prescription"
    assert dialog.ok_button.objectName() == "Danger"
    dialog.ok_button.click()
    assert dialog.problem.text() == (
        "Write the reason the prescriber can act on first: it is required."
    )
    dialog.note.setPlainText("x" * (MAX_NOTE_LENGTH + 3))
    assert dialog.counter.objectName() == "FieldError"  # said while typing
    dialog.ok_button.click()
    assert "Shorten it by 3" in dialog.problem.text() and client.sent == []
    reason = "Magnesium exceeds the peripheral limit."
    dialog.note.setPlainText(reason)
    for error in (
        ApiError(422, "The reason is not valid.", [FieldErrorWire("note", "too long")]),
        ServerUnreachable("Cannot reach the pharmacy server."),
    ):
        client.fail_next = error
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: dialog.problem.isVisible() and not dialog.busy, timeout=10_000)
        assert dialog.isVisible() and dialog.note.toPlainText() == reason
        assert dialog.ok_button.text() == "Reject prescription"
        dialog.show_problem("")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)  # closed unsent
    qtbot.waitUntil(lambda: window.action_dialog is None)
    window.reject_button.click()
    again = window.action_dialog
    assert again is not None and again.note.toPlainText() == reason
    with qtbot.waitSignal(window.reviewed, timeout=10_000) as reviewed:
        again.ok_button.click()
    assert reviewed.args[0].status == "rejected"
    assert client.sent == [("id-1", "reject", reason)]
    assert window.banner.label.text() == "RX-0001 rejected; the prescriber sees your reason."


def test_the_refresh_reads_the_filter_on_the_gui_thread_only(
    qtbot: QtBot, store: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    gui_thread = threading.current_thread()
    readers: list[threading.Thread] = []
    original = PharmacistWindow.status_filter

    def recorded(window: PharmacistWindow) -> str:
        readers.append(threading.current_thread())
        value: str = original.fget(window)  # type: ignore[attr-defined]
        return value

    monkeypatch.setattr(PharmacistWindow, "status_filter", property(recorded))
    client = StandInPharmacy(PHARMACIST, store)
    window = pharmacist_window(qtbot, client, "submitted")
    window.show_filter("ready")
    qtbot.waitUntil(lambda: [r.id for r in window.browser.model.state.rows] == ["id-5"])
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=10_000)
    assert readers and all(thread is gui_thread for thread in readers)


def test_an_empty_list_says_so_in_the_words_of_its_filter(qtbot: QtBot) -> None:
    store = {"id-1": prescription(1, "approved")}
    client = StandInPharmacy(PHARMACIST, store)
    window = PharmacistWindow(client, PHARMACIST, status_filter="submitted")  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    label = window.browser.empty_label
    qtbot.waitUntil(label.isVisible, timeout=10_000)
    assert label.text() == "Nothing waiting for review."
    assert label.geometry().width() > 0 and label.parent() is window.browser.table.viewport()
    window.show_filter("approved")
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=10_000)  # one approved row
    window.show_filter("shipped")
    qtbot.waitUntil(label.isVisible, timeout=10_000)
    assert label.text() == "Nothing under “Shipped”."


# ------------------------------------------------------------------------------ the stand-in


@pytest.mark.parametrize("status", list(PrescriptionStatus))
@pytest.mark.parametrize("user", [PHARMACIST, PRESCRIBER], ids=lambda user: user.role)
def test_the_stand_in_refuses_what_the_domains_table_refuses(
    status: PrescriptionStatus, user: SignedInUser
) -> None:
    """Every action from every status by each role: taken exactly when the table offers it,
    else refused as the server refuses (403 role, 409 status); a missing required note 422."""
    offered = {rule.name for rule in available_actions(status.value, user.role)}
    for name, rule in ACTIONS.items():
        client = StandInPharmacy(user, {"id-1": prescription(1, status.value)})
        if rule.note is NoteRule.REQUIRED:
            with pytest.raises(ApiError) as unwritten:
                client.act("id-1", name, "  ")
            expected = 403 if user.role not in rule.roles else 422
            assert unwritten.value.status == expected, name
        too_long = "x" * (MAX_NOTE_LENGTH + 1)
        with pytest.raises(ApiError) as rambling:
            client.act("id-1", name, too_long)
        assert rambling.value.status == (403 if user.role not in rule.roles else 422), name
        if name in offered:
            assert client.act("id-1", name, "A note.").status == rule.target.value
            continue
        with pytest.raises(ApiError) as refused:
            client.act("id-1", name, "A note.")
        if user.role not in rule.roles:
            assert refused.value.status == 403
            assert refused.value.message.endswith(f" can {rule.phrase('a prescription')}.")
        else:
            assert refused.value.status == 409
            assert refused.value.code == "prescription.status_changed"
