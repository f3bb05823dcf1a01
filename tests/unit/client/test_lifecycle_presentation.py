"""How the prescription lifecycle reads: status words and colours, the history, notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pharmacy_domain.status import ACTIONS, MAX_NOTE_LENGTH, PrescriptionStatus
from portal_client.core.api_client import (
    ApiClient,
    StepNotConfirmed,
    act_and_confirm,
    history_length,
    is_own_next_step,
)
from portal_client.core.errors import NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.lifecycle_text import (
    CHANGED_SINCE_SEEN,
    action_done_message,
    asks_for_note,
    changed_while_confirming_message,
    conflict_message,
    history_of,
    new_question_message,
    note_problem,
    open_question,
    outcome_unknown_message,
    prescriber_count_text,
)
from portal_client.core.prescription_list import format_timestamp, parse_timestamp
from portal_client.core.presentation import (
    LIST_STATUS_TEXT,
    REVIEW_FILTERS,
    STATUS_TEXT,
    prescription_html,
    status_label,
    status_short_label,
)
from portal_client.core.settings import STATUS_FILTERS, Settings, load_settings, save_settings
from portal_client.core.status_colours import STATUS_COLOURS, UNKNOWN_STATUS_COLOURS
from portal_client.core.wire import PrescriptionWire, parse
from tests.helpers.wire_samples import CLINIC, prescription_answer

PHARMACIST = {"id": "u-ph", "display_name": "Priya Nair", "role": "pharmacist"}
PRESCRIBER = {"id": "u-pr", "display_name": "Dr. Maya Chen", "role": "prescriber"}


def step(
    action: str, before: str | None, after: str, actor: dict[str, str], note: str | None = None
) -> dict[str, Any]:
    minute = {"submit": 0, "request_clarification": 5, "answer_clarification": 9}.get(action, 30)
    return {
        "at": f"2026-11-02T10:{minute:02d}:00Z",
        "action": action,
        "from_status": before,
        "status": after,
        "actor": actor,
        "note": note,
    }


def answer(status: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    """The server's JSON for one prescription."""
    return prescription_answer(
        id="id-1",
        reference="RX-0001",
        status=status,
        created_at="2026-11-02T10:00:00Z",
        template_name="Myers' cocktail",
        patient={"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1980-02-03"},
        prescriber=PRESCRIBER | {"clinic": CLINIC},
        history=history,
    )


def prescription(status: str, history: list[dict[str, Any]]) -> PrescriptionWire:
    """The same prescription as the ApiClient hands it on."""
    return parse(PrescriptionWire, answer(status, history))


SUBMIT = step("submit", None, "submitted", PRESCRIBER)
QUESTION = "Is 2 g <magnesium> intended\nfor a peripheral line?"
ASK = step("request_clarification", "submitted", "needs_clarification", PHARMACIST, QUESTION)
ANSWER = step(
    "answer_clarification", "needs_clarification", "submitted", PRESCRIBER, "Yes & over 45 min."
)


# ------------------------------------------------------------------ status words and colours


def test_every_status_has_words_and_its_own_readable_colours() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    seen: set[tuple[str, str]] = set()
    for status in PrescriptionStatus:
        assert STATUS_TEXT[status] and LIST_STATUS_TEXT[status], status
        assert status_label(status) == STATUS_TEXT[status]
        colours = STATUS_COLOURS[status]
        assert colours != UNKNOWN_STATUS_COLOURS and colours not in seen, status
        seen.add(colours)
        light, dark = sorted(luminance(c) for c in colours)
        assert (dark + 0.05) / (light + 0.05) >= 4.5, f"{status} text is hard to read"


def test_table_words_are_short_and_fit_the_reader() -> None:
    assert status_short_label("submitted") == "Submitted"
    assert status_short_label("needs_clarification", "prescriber") == "Question for you"
    assert status_short_label("needs_clarification", "pharmacist") == "Waiting for prescriber"
    assert status_short_label("compounding") == "Being compounded"
    assert status_short_label("some_new_status") == "Some new status"
    assert all(len(text) <= 22 for text in LIST_STATUS_TEXT.values())


def test_filters_cover_every_status_and_are_remembered(tmp_path: Path) -> None:
    assert [value for value, _words in REVIEW_FILTERS] == list(STATUS_FILTERS)
    assert set(STATUS_FILTERS) == {str(s) for s in PrescriptionStatus} | {"all"}
    words = dict(REVIEW_FILTERS)
    assert words["submitted"] == "To review"
    assert words["needs_clarification"] == "Waiting for the prescriber"
    path = tmp_path / "settings.json"
    save_settings(Settings(review_status_filter="needs_clarification"), path)
    assert load_settings(path).review_status_filter == "needs_clarification"


# ------------------------------------------------------------------------------ the history


def test_an_open_question_leads_the_detail_and_every_note_is_escaped() -> None:
    item = prescription("needs_clarification", [SUBMIT, ASK])
    html = prescription_html(item, {})
    escaped = "Is 2 g &lt;magnesium&gt; intended<br>for a peripheral line?"
    assert "<magnesium>" not in html
    # At the top (before the patient), and again in the history at the end.
    assert html.index(escaped) < html.index("PATIENT") < html.index("HISTORY")
    assert html.count(escaped) == 2
    assert "Question from Priya Nair (pharmacist)" in html
    assert "Waiting for the prescriber's answer." in html
    for_prescriber = prescription_html(item, {}, viewer_role="prescriber")
    assert "Waiting for your answer" in for_prescriber
    asked = open_question(item)
    assert asked is not None and asked.note == QUESTION and asked.who.startswith("Priya")


def test_the_history_lists_every_step_with_time_who_and_what() -> None:
    ship = step("ship", "ready", "shipped", PHARMACIST, "UPS 1Z999 <tracking>")
    item = prescription(
        "shipped",
        [
            SUBMIT,
            ASK,
            ANSWER,
            step("approve", "submitted", "approved", PHARMACIST),
            step("start_compounding", "approved", "compounding", PHARMACIST),
            step("mark_ready", "compounding", "ready", PHARMACIST),
            ship,
        ],
    )
    history = history_of(item)
    assert [entry.what for entry in history] == [
        "submitted",
        "asked for clarification",
        "answered",
        "approved",
        "started compounding",
        "marked ready",
        "shipped",
    ]
    html = prescription_html(item, {})
    timeline = html[html.index("HISTORY") :]
    for entry in history:
        assert f"<b>{entry.who}</b> {entry.what}" in timeline.replace("&#x27;", "'")
        assert entry.when in timeline and entry.when != "—"
    assert "Yes &amp; over 45 min." in timeline
    assert "UPS 1Z999 &lt;tracking&gt;" in timeline and "<tracking>" not in html
    assert "Courier and tracking" in timeline
    # The top box says the latest step: shipped, by whom, with the tracking note.
    top = html[: html.index("PATIENT")]
    assert "Shipped</b> by Priya Nair" in top and "UPS 1Z999" in top
    assert open_question(item) is None


def test_an_answered_question_shows_both_to_the_pharmacist() -> None:
    html = prescription_html(prescription("submitted", [SUBMIT, ASK, ANSWER]), {})
    top = html[: html.index("PATIENT")]
    assert "Dr. Maya Chen (prescriber) answered" in top
    assert "&lt;magnesium&gt;" in top and "Yes &amp; over 45 min." in top


def test_a_cancellation_shows_its_reason_on_top() -> None:
    cancel = step("cancel", "submitted", "cancelled", PRESCRIBER, "Patient <moved> away")
    html = prescription_html(prescription("cancelled", [SUBMIT, cancel]), {})
    top = html[: html.index("PATIENT")]
    assert "Cancelled</b> by Dr. Maya Chen" in top
    assert "Reason: Patient &lt;moved&gt; away" in top
    assert STATUS_COLOURS["cancelled"][0] in top


def test_a_fresh_submission_has_no_box_and_a_one_line_history() -> None:
    html = prescription_html(prescription("submitted", [SUBMIT]), {})
    assert html[: html.index("PATIENT")].count("<table") == 0
    assert "<b>Dr. Maya Chen (prescriber)</b> submitted" in html


def test_without_a_history_the_review_still_shows() -> None:
    raw = answer("rejected", [])
    del raw["history"]  # a server from before the lifecycle
    raw["review"] = {
        "action": "reject",
        "reason": "Needs <potassium>",
        "reviewer": PHARMACIST["display_name"],  # the contract: the reviewer's name
        "reviewed_at": "2026-11-02T11:00:00Z",
    }
    html = prescription_html(parse(PrescriptionWire, raw), {})
    assert "Needs &lt;potassium&gt;" in html and "HISTORY" not in html


# ------------------------------------------------------------------------- notes and words


def test_notes_are_checked_before_sending() -> None:
    ask, approve = ACTIONS["request_clarification"], ACTIONS["approve"]
    assert note_problem(ask, "  \n ") == (
        "Write the question for the prescriber first: it is required."
    )
    assert note_problem(approve, "") is None
    assert note_problem(ask, "x" * MAX_NOTE_LENGTH) is None
    too_long = note_problem(ask, "x" * (MAX_NOTE_LENGTH + 3))
    assert too_long is not None and "limit is 2,000" in too_long and "by 3" in too_long


@pytest.mark.parametrize(
    ("action", "dialog"),
    [
        ("approve", False),
        ("start_compounding", False),
        ("mark_ready", True),  # the beyond-use date and storage
        ("reject", True),
        ("request_clarification", True),
        ("ship", True),
        ("answer_clarification", True),
        ("cancel", True),
    ],
)
def test_which_actions_ask_for_words(action: str, dialog: bool) -> None:
    assert asks_for_note(ACTIONS[action]) is dialog
    assert action_done_message(action, "RX-7").startswith("RX-7")


def test_a_conflict_says_someone_else_changed_it_in_the_servers_words() -> None:
    message = conflict_message("RX-0001", "This prescription is now approved")
    assert message.startswith("RX-0001 was changed by someone else")
    assert "This prescription is now approved." in message
    assert conflict_message("RX-1", "").count("..") == 0
    approve = step("approve", "submitted", "approved", PHARMACIST)
    current = prescription("approved", [SUBMIT, approve])
    with_who = conflict_message("RX-0001", "Now approved.", current)
    when = format_timestamp(parse_timestamp(approve["at"]))
    assert with_who.endswith(f"Last change: approved by Priya Nair (pharmacist), {when}.")


def test_a_step_the_user_had_not_seen_is_explained_in_the_servers_words() -> None:
    detail = "Since you opened it, Dr. Maya Chen answered. Look at it again first."
    message = conflict_message("RX-0001", detail, code=CHANGED_SINCE_SEEN)
    assert message == f"Nothing was recorded for RX-0001: {detail}"
    current = prescription("submitted", [SUBMIT, ASK, ANSWER])
    # The server's words already say who did what; without them, the last step does.
    assert conflict_message("RX-0001", detail, current, CHANGED_SINCE_SEEN) == message
    bare = conflict_message("RX-0001", "", current, CHANGED_SINCE_SEEN)
    assert "changed since you opened it" in bare and "answered by Dr. Maya Chen" in bare


def test_an_unknown_outcome_is_never_called_not_sent() -> None:
    fetched = outcome_unknown_message("approve", "RX-0001", fetched=True)
    assert fetched.startswith(
        "The pharmacy did not answer, so it is not known whether your approval for RX-0001"
    )
    assert "(shown)" in fetched and "Not sent" not in fetched
    assert not fetched.endswith("Your text is kept.")
    lost = outcome_unknown_message("reject", "RX-2", fetched=False, text_kept=True)
    assert "your rejection for RX-2" in lost and "refresh" in lost
    assert lost.endswith("Your text is kept.")
    for action in ACTIONS:  # every action has its noun
        assert " your step " not in outcome_unknown_message(action, "RX-3", fetched=True)


def test_a_withdrawn_confirmation_names_the_new_step() -> None:
    current = prescription("submitted", [SUBMIT, ASK, ANSWER])
    when = format_timestamp(parse_timestamp(ANSWER["at"]))
    assert changed_while_confirming_message("RX-0001", current) == (
        f"RX-0001 changed while you were deciding: answered by Dr. Maya Chen (prescriber), "
        f"{when}. Nothing was sent; look at it again first."
    )


# ------------------------------------------------------------------ sending an action


class Recorder(ApiClient):
    """An ``ApiClient`` whose requests are recorded and answered here (no network)."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.bodies: list[Any] = []
        self.answer = answer

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.bodies.append((method, path, kwargs.get("json_body")))
        return self.answer


def test_an_action_says_how_many_steps_were_seen_only_when_told() -> None:
    client = Recorder(answer("submitted", [SUBMIT]))
    client.act("id-1", "approve", "  ", seen_steps=3)
    client.act("id-1", "reject", " Too high. ")
    assert client.bodies == [
        (
            "POST",
            "/prescriptions/id-1/actions",
            {"action": "approve", "note": None, "seen_steps": 3},
        ),
        ("POST", "/prescriptions/id-1/actions", {"action": "reject", "note": "Too high."}),
    ]
    assert history_length(prescription("submitted", [SUBMIT, ASK])) == 2
    assert history_length(prescription("submitted", [])) is None


class LostAnswers:
    """``act`` never answers (``recorded``: the step was stored all the same);
    ``get_prescription`` returns ``current`` or raises ``get_error``."""

    def __init__(self, current: PrescriptionWire, get_error: Exception | None = None) -> None:
        self.current = current
        self.get_error = get_error
        self.acts: list[int | None] = []

    def act(self, _id: str, _action: str, _note: str | None, *, seen_steps: int | None) -> Any:
        self.acts.append(seen_steps)
        raise OutcomeUnknown("The pharmacy server did not answer in time.")

    def get_prescription(self, _id: str) -> PrescriptionWire:
        if self.get_error is not None:
            raise self.get_error
        return self.current


def confirm(client: LostAnswers, action: str, seen: int | None, user: str = "u-ph") -> Any:
    return act_and_confirm(
        client,  # type: ignore[arg-type]
        "id-1",
        action,
        None,
        seen_steps=seen,
        user_id=user,
    )


def test_a_lost_answer_is_success_only_when_the_next_step_is_the_users_own() -> None:
    approve = step("approve", "submitted", "approved", PHARMACIST)
    recorded = prescription("approved", [SUBMIT, approve])
    client = LostAnswers(recorded)
    assert confirm(client, "approve", 1) is recorded and client.acts == [1]
    assert is_own_next_step(recorded, "approve", 1, "u-ph")
    not_yet = [
        ("approve", 1, "u-someone-else"),  # a colleague's approval, not this one
        ("reject", 1, "u-ph"),  # another action
        ("approve", 0, "u-ph"),  # not the step right after what was seen
        ("approve", None, "u-ph"),  # nothing to compare with
    ]
    for action, seen, user in not_yet:
        assert not is_own_next_step(recorded, action, seen, user)
        with pytest.raises(StepNotConfirmed) as unknown:
            confirm(LostAnswers(recorded), action, seen, user)
        assert unknown.value.current is recorded
    with pytest.raises(StepNotConfirmed) as unfetched:
        confirm(LostAnswers(recorded, ServerUnreachable("down")), "approve", 1)
    assert unfetched.value.current is None and isinstance(unfetched.value, OutcomeUnknown)
    with pytest.raises(NotSignedIn):  # the session ended: the sign-in comes first
        confirm(LostAnswers(recorded, NotSignedIn("ended")), "approve", 1)


def test_the_prescribers_count_names_questions() -> None:
    statuses = ["submitted", "approved", "shipped", "needs_clarification", "rejected"]
    assert prescriber_count_text(statuses) == "5 sent · 1 awaiting review · 1 question for you"
    assert prescriber_count_text(["needs_clarification"] * 2).endswith("2 questions for you")
    assert prescriber_count_text(["approved"]) == "1 sent · 0 awaiting review"
    assert prescriber_count_text([]) == "None sent yet"


def test_new_question_banner_names_the_prescriptions() -> None:
    assert new_question_message([]) == ""
    one = new_question_message([("RX-0003", "LOVELACE, Ada")])
    assert "RX-0003 (LOVELACE, Ada)" in one
    two = new_question_message([("RX-1", "A"), ("RX-2", "B")])
    assert "2 prescriptions (RX-1, RX-2)" in two


def test_the_order_names_the_versions_the_server_checked_it_with() -> None:
    from portal_client.core.presentation import evaluation_versions_html
    from portal_client.core.wire import EvaluationWire, ReferenceVersionsWire

    checked = EvaluationWire(
        computed={}, findings=(), versions=ReferenceVersionsWire(template=3, formulary=2, rules=1)
    )
    assert "template version 3, formulary 2, rules 1" in evaluation_versions_html(checked)
    # Evaluations stored before versions were kept say nothing rather than guess.
    assert evaluation_versions_html(EvaluationWire(computed={}, findings=())) == ""
