"""The clinical checks beside the form: figures, findings by severity, blocks stop signing."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.core.composer import LabEntry
from portal_client.gui.composer import ComposerPage
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
