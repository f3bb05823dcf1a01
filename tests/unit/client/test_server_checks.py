"""The pharmacy server's findings replace the local ones when, and only when, they differ."""

from __future__ import annotations

import datetime as dt

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.server_checks import ServerCheck, checked_content
from portal_client.core.wire import FindingWire, ValidationWire

TODAY = dt.date(2026, 12, 1)


def myers() -> Template:
    return next(t for t in load_template_catalog().latest() if t.id == "myers-infusion")


def complete_order() -> ComposerState:
    state = ComposerState()
    state.select_template(myers())
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex, state.weight_kg = "1980-02-03", "female", "61"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    return state


def answer_as_local(state: ComposerState) -> ValidationWire:
    evaluation = state.evaluate(TODAY)
    return ValidationWire(
        computed=dict(evaluation.computed),
        findings=tuple(FindingWire(**f.to_wire()) for f in evaluation.findings),
        blocked=evaluation.blocked,
    )


def with_extra_block(answer: ValidationWire) -> ValidationWire:
    block = FindingWire(
        code="rate.new_rule",
        severity="block",
        message="Infusion rate above the pharmacy's new limit.",
        field="infusion_minutes",
        source="Pharmacy rules v2",
        to_confirm=False,
        rule="rate-new",
    )
    return ValidationWire(answer.computed, (*answer.findings, block), True)


def test_the_same_findings_keep_the_local_check() -> None:
    state = complete_order()
    content = checked_content(state.to_body())
    state.server_check = ServerCheck.from_wire(content, answer_as_local(state))
    result = state.check(TODAY)
    assert not result.from_server and result.ready_to_sign


def test_a_server_block_the_local_check_lacks_counts() -> None:
    state = complete_order()
    content = checked_content(state.to_body())
    state.server_check = ServerCheck.from_wire(content, with_extra_block(answer_as_local(state)))
    review = state.review(TODAY)
    assert review.result.from_server
    assert "rate.new_rule" in {f.code for f in review.blocks}
    assert not review.can_sign
    assert review.shown("infusion_minutes") == "Infusion rate above the pharmacy's new limit."
    assert review.result.evaluation is not None
    assert review.result.evaluation.prescription is not None  # still the order to sign


def test_an_answer_for_another_order_is_not_shown() -> None:
    state = complete_order()
    content = checked_content(state.to_body())
    state.server_check = ServerCheck.from_wire(content, with_extra_block(answer_as_local(state)))
    state.edit("infusion_minutes", "infusion_minutes", "60")  # the order changed since
    result = state.check(TODAY)
    assert not result.from_server
    assert "rate.new_rule" not in {f.code for f in result.blocks}


def test_a_reason_typed_keeps_the_servers_answer_current() -> None:
    state = complete_order()
    content = checked_content(state.to_body())
    state.server_check = ServerCheck.from_wire(content, with_extra_block(answer_as_local(state)))
    state.acknowledge(("osmolarity.incomplete", "ingredients"), "Known")
    assert checked_content(state.to_body()) == content
    assert state.check(TODAY).from_server


def test_only_what_where_and_how_severe_make_a_difference() -> None:
    state = complete_order()
    local = state.evaluate(TODAY)
    answer = answer_as_local(state)
    reworded = ValidationWire(
        answer.computed,
        tuple(
            FindingWire(f.code, f.severity, f.message + " (reworded)", f.field, f.source, False, "")
            for f in answer.findings
        ),
        answer.blocked,
    )
    assert not ServerCheck.from_wire("", reworded).differs_from(local)
    assert ServerCheck.from_wire("", with_extra_block(answer)).differs_from(local)
