"""The Patients page's decisions without Qt: stale search answers dropped, the list's
words, the record form's errors, a record copied into the composer and its stale labs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pharmacy_domain.templates import load_template_catalog
from portal_client.core.patient_wire import PatientPage, PatientRecord, PatientSummary
from portal_client.core.patients import (
    PatientForm,
    PatientSearch,
    ResultEntry,
    composer_state_from_record,
    labs_to_save,
    new_result_entry,
    server_field_errors,
    stale_results,
)
from portal_client.core.wire import parse

TODAY = dt.date(2026, 12, 3)


def _record(**changes: Any) -> PatientRecord:
    raw = {
        "id": "p1",
        "clinic_id": "c1",
        "version": 3,
        "given_name": "Ana",
        "family_name": "Ruiz",
        "birth_date": "1980-04-02",
        "sex": "female",
        "address": "",
        "phone": "",
        "allergies": [{"code": None, "text": "penicillin"}],
        "weight": {"value": 64.5, "measured_on": "2026-11-20"},
        "height": {"value": 165, "measured_on": "2026-11-20"},
        "labs": [
            {
                "name": "Blood glucose",
                "code": "glucose",
                "date": "2026-10-01",
                "value": 95,
                "unit": "mg/dL",
                "interpretation": "normal",
            },
            {
                "name": "Blood glucose",
                "code": "glucose",
                "date": "2026-09-01",
                "value": 99,
                "unit": "mg/dL",
                "interpretation": "normal",
            },
        ],
        "documents": [],
        "updated_at": "2026-11-21T10:30:00Z",
    } | changes
    return parse(PatientRecord, raw)


def _page(*names: str, cursor: str | None = None) -> PatientPage:
    rows = tuple(
        PatientSummary(f"id-{name}", name, "Ruiz", dt.date(1980, 4, 2), "female", 1)
        for name in names
    )
    return PatientPage(rows, cursor)


def test_an_answer_to_an_older_query_is_dropped() -> None:
    search = PatientSearch()
    first, _ = search.begin("An")
    second, query = search.begin(" Ana ")
    assert query == "Ana" and not search.wants_search("Ana ")
    assert not search.accept(first, _page("Andrea"))
    assert search.rows == []
    assert search.accept(second, _page("Ana"))
    assert [row.given_name for row in search.rows] == ["Ana"]


def test_the_list_says_when_there_are_more_and_fetches_the_next_page() -> None:
    search = PatientSearch()
    ticket, _ = search.begin("")
    search.accept(ticket, _page("Ana", "Bea", cursor="c2"))
    assert "there are more" in search.status_text()
    more = search.begin_more()
    assert more is not None and more[2] == "c2"
    assert search.begin_more() is None  # one page at a time
    search.accept(more[0], _page("Carla"), more=True)
    assert len(search.rows) == 3 and not search.has_more
    assert search.status_text() == "3 patients."


def test_no_match_and_errors_are_said() -> None:
    search = PatientSearch()
    ticket, _ = search.begin("Zed")
    search.accept(ticket, _page())
    assert search.status_text() == "No patients match “Zed”."
    ticket, _ = search.begin("Zeb")
    search.fail(ticket, "the server is down")
    assert "the server is down" in search.status_text()


def test_the_form_names_each_bad_field() -> None:
    form = PatientForm(given_name="Ana", birth_date="2030-01-01", weight_kg="900")
    fields, errors = form.check(TODAY)
    assert fields is None
    assert set(errors) == {"family_name", "birth_date", "weight"}
    assert "YYYY" not in errors["birth_date"]  # a date, but in the future
    fields, errors = PatientForm("Ana", "Ruiz", "1980-04-02", "female", weight_kg="64").check(TODAY)
    assert errors == {} and fields is not None
    assert fields.weight is not None and fields.weight.measured_on == TODAY


def test_an_edit_sends_only_what_changed() -> None:
    record = _record()
    form = PatientForm.from_record(record)
    form.phone = "555-0100"
    fields, _ = form.check(TODAY)
    assert fields is not None
    assert form.changes(fields, record).to_wire() == {"phone": "555-0100"}
    assert server_field_errors([("weight.measured_on", "no")]) == {"weight_on": "no"}


def test_a_result_is_checked_before_it_is_added() -> None:
    record = _record()
    changes, error = ResultEntry(kind="lab", code="egfr", date="2026-12-01", value="x").check(
        record, TODAY
    )
    assert changes is None and "number" in error
    changes, error = ResultEntry(kind="lab", code="egfr", date="2026-12-01", value="88").check(
        record, TODAY
    )
    assert changes is not None and len(changes.to_wire()["labs"]) == 3
    changes, _ = ResultEntry(kind="weight", date="2026-12-01", value="63").check(record, TODAY)
    assert changes is not None and changes.to_wire()["weight"]["value"] == 63


def test_a_record_fills_the_composer_linked_to_it_with_the_newest_labs() -> None:
    tpn = next(t for t in load_template_catalog().latest() if t.id == "tpn-adult-central")
    state = composer_state_from_record(_record(), tpn)
    assert (state.given_name, state.birth_date, state.weight_kg) == ("Ana", "1980-04-02", "64.5")
    assert state.allergies == "penicillin" and state.patient_id == "p1"
    assert [(lab.code, lab.date) for lab in state.labs] == [("glucose", "2026-10-01")]
    stale = stale_results(state, state.check(TODAY).evaluation)
    assert [(s.index, s.code, s.name) for s in stale] == [(0, "glucose", "Blood glucose")]
    assert "days old" in stale[0].message
    # Saving back: only what the record lacks.
    assert labs_to_save(state, _record(), TODAY) == []
    state.labs.append(new_result_entry("glucose", TODAY))
    state.labs[-1].value = "101"
    saved = labs_to_save(state, _record(), TODAY)
    assert [(lab.code, lab.date, lab.value) for lab in saved] == [("glucose", TODAY, 101.0)]
    assert stale_results(state, state.check(TODAY).evaluation) == []


def test_the_draft_and_the_signed_body_keep_the_link() -> None:
    state = composer_state_from_record(_record())
    draft = state.to_draft()
    assert draft["patient_id"] == "p1"
    from portal_client.core.composer import ComposerState

    assert ComposerState.from_draft("d", draft, []).patient_id == "p1"
    assert "patient_id" not in ComposerState().to_draft()
