"""The checks panel never hides a finding: not behind a dose's own error, not when the
pharmacy's server judges differently from this computer.

Set PORTAL_SCREENSHOTS=<dir> to save the composer with a dose out of range and with the
server's findings."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import Template
from portal_client.core import reference_data
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.core.server_checks import FROM_SERVER_TEXT, checked_content
from portal_client.gui import ops
from portal_client.gui.composer import ComposerPage
from tests.gui.conftest import sign_in
from tests.gui.test_composer import composer, fill_patient
from tests.helpers.live_server import LiveServer

SCREENSHOT_DIR = os.environ.get("PORTAL_SCREENSHOTS", "")


def picture(page: ComposerPage, name: str) -> None:
    """Keep a picture of ``page`` when ``PORTAL_SCREENSHOTS`` names a folder."""
    if not SCREENSHOT_DIR:
        return
    # As the event loop would: the replaced finding rows go, the new ones are laid out
    # (wrapped text settles over a few rounds).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for _round in range(5):
        QApplication.processEvents()
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    page.grab().save(str(Path(SCREENSHOT_DIR) / f"{name}.png"))


def deficient_patient(qtbot: QtBot, page: ComposerPage) -> None:
    fill_patient(qtbot, page, labs=False)
    page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="deficient"))
    page.add_lab(LabEntry("creatinine", "2026-11-01", "3.2", "mg/dL", "high"))


def shown(page: ComposerPage) -> set[tuple[str, str, str]]:
    return {(f.code, f.severity, f.field) for f in page.checks.findings_shown()}


def test_a_dose_out_of_range_leaves_the_other_findings_in_the_panel(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.resize(1366, 900)
    page.select_template("myers-infusion")
    deficient_patient(qtbot, page)
    before = shown(page)
    assert ("prerequisite.failed", "block", "patient.labs[0]") in before  # G6PD deficient
    assert ("prerequisite.failed", "warn", "patient.labs[1]") in before  # creatinine high

    editor, check = page._ingredient_slots["magnesium-chloride-20"]
    editor.clear()
    qtbot.keyClicks(editor, "30")  # the row allows at most 10 mL

    assert "at most 10 mL" in check.text()  # the dose's own error, at its row
    assert before <= shown(page)  # and every finding there was, beside it
    assert "dose.above_hard_limit" in {f.code for f in page.checks.findings_shown("block")}
    verdict = page.checks.verdict.text()
    assert "BLOCKED" in verdict and "No clinical block" not in verdict
    assert "G6PD" in page.labs_error.text() and page.labs_error.isVisible()
    assert not page.submit.isEnabled()
    picture(page, "composer-dose-out-of-range")

    editor.clear()
    qtbot.keyClicks(editor, "5")
    assert shown(page) == before and "at most" not in check.text()


def test_an_unreadable_dose_says_the_order_is_not_checked_yet(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    deficient_patient(qtbot, page)
    editor, _check = page._ingredient_slots["magnesium-chloride-20"]
    editor.clear()
    qtbot.keyClicks(editor, "five")
    verdict = page.checks.verdict.text()
    assert "Not checked yet" in verdict and "No clinical block" not in verdict
    assert "Cannot be signed" not in page.footer_status.text()  # nothing judged, no claim


@pytest.fixture
def older_local_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's copy of the rules lacks the peripheral osmolarity limit the pharmacy
    has since published (the server has it)."""
    rules = load_rules()
    older = dataclasses.replace(
        rules,
        thresholds=tuple(
            rule for rule in rules.thresholds if rule.code != "osmolarity.peripheral_limit"
        ),
    )
    reference_data.set_active(reference_data.ReferenceData(load_formulary(), older))
    yield


@pytest.mark.usefixtures("older_local_rules")
def test_the_servers_findings_show_as_the_pharmacys_when_they_differ(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    page = composer(qtbot, sign_in(server, "prescriber1"), templates)
    page.select_template("tpn-adult-central")
    fill_patient(qtbot, page, labs=False)
    qtbot.keyClicks(page.height_edit, "165")
    page.access.setCurrentIndex(page.access.findData("peripheral"))
    local = {f.code for f in page.state.evaluate().findings}
    assert "osmolarity.peripheral_limit" not in local  # this computer sees no block

    qtbot.waitUntil(page.checks.source.isVisible, timeout=15_000)
    assert escape(FROM_SERVER_TEXT.upper()) in page.checks.source.text()
    blocks = {f.code for f in page.checks.findings_shown("block")}
    assert "osmolarity.peripheral_limit" in blocks  # the pharmacy's answer counts
    assert "BLOCKED" in page.checks.verdict.text()
    assert not page.submit.isEnabled()
    assert page.review.result.from_server
    picture(page, "composer-checked-by-the-server")

    # Central access: both agree again; the panel shows the local check, unlabelled.
    page.access.setCurrentIndex(page.access.findData("central"))
    content = page.state.to_body()
    qtbot.waitUntil(
        lambda: (
            page.state.server_check is not None
            and page.state.server_check.content == checked_content(content)
        ),
        timeout=15_000,
    )
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=15_000)
    assert not page.checks.source.isVisible()
    assert "osmolarity.peripheral_limit" not in {f.code for f in page.checks.findings_shown()}
    assert page.submit.isEnabled()


def test_no_server_check_without_a_session(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    assert not page.server_checker._timer.isActive()  # nothing will be asked
    assert ops.in_flight() == 0 and not page.checks.source.isVisible()
