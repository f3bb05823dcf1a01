"""The clinical checks beside the form: figures, findings by severity, blocks stop signing."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from pharmacy_domain.engine import Evaluation, Finding
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.core.composer import LabEntry
from portal_client.core.form_review import CheckResult
from portal_client.gui.composer import ComposerPage
from portal_client.gui.findings_panel import ChecksPanel
from portal_client.gui.sign_dialog import SignDialog
from tests.gui.test_composer import composer, fill_patient


def computed_text(page: ComposerPage, key: str) -> str:
    return page.checks._computed_labels[key][1].text()


def test_central_access_clears_the_osmolarity_block(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("tpn-adult-central")
    fill_patient(qtbot, page, labs=False)
    qtbot.keyClicks(page.height_edit, "165")
    assert "mOsm/L" in computed_text(page, "osmolarity_mosm_l")
    assert "estimate" in computed_text(page, "osmolarity_mosm_l")
    assert "mg/kg/min" in computed_text(page, "gir_mg_kg_min")  # nutrition figures shown
    assert page.submit.isEnabled()

    page.access.setCurrentIndex(page.access.findData("peripheral"))
    codes = {f.code for f in page.checks.findings_shown("block")}
    assert "osmolarity.peripheral_limit" in codes
    assert not page.submit.isEnabled()
    assert "Cannot be signed" in page.footer_status.text()
    assert "peripheral" in page.submit.toolTip().lower() or page.submit.toolTip()
    assert "BLOCKED" in page.checks.verdict.text()

    page.access.setCurrentIndex(page.access.findData("central"))
    assert "osmolarity.peripheral_limit" not in {f.code for f in page.checks.findings_shown()}
    assert page.submit.isEnabled()


def test_a_click_on_a_finding_focuses_its_field(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page, labs=False)  # G6PD and renal function missing: blocks
    blocks = page.checks.findings_shown("block")
    assert blocks and blocks[0].field == "patient.labs"
    assert not page.submit.isEnabled()
    row = page.checks.rows[0]
    row.activated.emit(row.finding.field)
    assert page.focusWidget() is page.add_lab_button
    page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="normal"))
    page.add_lab(LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"))
    assert not page.checks.findings_shown("block") and page.submit.isEnabled()
    # Info findings stay visible, with their source and "pharmacy to confirm" where marked.
    infos = page.checks.findings_shown("info")
    assert infos
    confirm_rows = [r for r in page.checks.rows if r.finding.to_confirm]
    assert confirm_rows and "PHARMACY TO CONFIRM" in confirm_rows[0].message.text()


def test_each_warning_takes_its_reason_in_the_panel(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-push")
    fill_patient(qtbot, page)
    assert page.checks.reason_edits and "WARNINGS" in page.checks.verdict.text()
    page.submit.click()
    assert "acknowledgements" in page.current_errors
    for edit in page.checks.reason_edits.values():
        qtbot.keyClicks(edit, "Given slowly over 15 minutes with monitoring.")
    assert "acknowledgements" not in page.current_errors
    assert "READY" in page.checks.verdict.text()
    body = page.state.signable_body()
    assert body["acknowledgements"] and all(a["reason"] for a in body["acknowledgements"])


def test_the_sign_dialog_shows_the_whole_prescription_and_asks_again(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-push")
    fill_patient(qtbot, page)
    for edit in page.checks.reason_edits.values():
        qtbot.keyClicks(edit, "Slow push, patient monitored.")
    body = page.state.signable_body()
    dialog = SignDialog(page.client, body, page.sign_summary(body))
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.summary.toPlainText()
    for expected in ("LOVELACE, Ada", "1980-02-03", "IV push", "Osmolarity", "Slow push"):
        assert expected in text
    template = page.state.template
    assert template is not None
    for line in body["ingredients"]:
        assert next(r.name for r in template.ingredients if r.code == line["code"]) in text
    assert "legally signing this prescription" in dialog.attestation.text()
    assert dialog.credential.echoMode() == dialog.credential.EchoMode.Password
    assert not dialog.sign_button.isEnabled()
    qtbot.keyClicks(dialog.credential, "x")
    assert dialog.sign_button.isEnabled()

    page.client.user = SignedInUser("1", "p", "prescriber", "Dr P", mfa_enrolled=True)
    otp = SignDialog(page.client, body, "", use_otp=True)
    qtbot.addWidget(otp)
    assert otp.credential.echoMode() == otp.credential.EchoMode.Normal
    assert "authenticator" in otp.credential.placeholderText()


def _result(*findings: Finding) -> CheckResult:
    evaluation = Evaluation(findings=list(findings))
    warnings = [f for f in findings if f.severity == "warn"]
    return CheckResult(errors=[], warnings=warnings, unacknowledged=warnings, evaluation=evaluation)


def _finding(code: str, severity: str, message: str) -> Finding:
    return Finding(code, severity, message, f"ingredients[0].{code}", "rules.json")


def test_new_figures_update_the_rows_in_place_and_keep_the_reason_being_typed(
    qtbot: QtBot,
) -> None:
    """A keystroke in a dose changes the findings' numbers: the rows stay (a rebuild per
    keystroke restyled and repainted the whole panel, and took the reason's focus)."""
    panel = ChecksPanel()
    qtbot.addWidget(panel)
    panel.show()
    potassium = _finding("potassium.rate", "warn", "Potassium 10 mEq/h is above 8 mEq/h.")
    sodium = _finding("sodium.load", "info", "Sodium load 70 mEq.")
    panel.update_result(_result(potassium, sodium), {}, nutrition=True)
    warn_row, info_row = panel.rows
    reason = panel.reason_edits[("potassium.rate", potassium.field)]
    panel.activateWindow()
    reason.setFocus()
    qtbot.waitUntil(reason.hasFocus)
    qtbot.keyClicks(reason, "Central line, monitored")

    faster = _finding("potassium.rate", "warn", "Potassium 11 mEq/h is above 8 mEq/h.")
    panel.update_result(_result(faster, sodium), {}, nutrition=True)
    assert panel.rows == [warn_row, info_row]  # the same widgets
    assert "11 mEq/h" in warn_row.message.text() and "10 mEq/h" not in warn_row.message.text()
    assert warn_row.finding is faster
    assert reason.hasFocus() and reason.text() == "Central line, monitored"

    # A finding comes and goes: the rows of the findings still standing are kept.
    block = _finding("osmolarity.peripheral_limit", "block", "Osmolarity 1,200 mOsm/L.")
    panel.update_result(_result(block, faster, sodium), {}, nutrition=True)
    assert [r.finding.code for r in panel.rows] == [
        "osmolarity.peripheral_limit",
        "potassium.rate",
        "sodium.load",
    ]
    assert panel.rows[1] is warn_row and panel.rows[2] is info_row
    assert reason.text() == "Central line, monitored"
    panel.update_result(_result(sodium), {}, nutrition=True)
    assert panel.rows == [info_row] and panel.findings_shown() == [sodium]
    assert list(panel.reason_edits) == []
