"""The whole path, real everything: a server process, the client's own windows and controller.

prescriber1 signs in, composes from a template and submits; pharmacist1 (a second
signed-in client in the same process) finds it in the queue and approves it; the
prescriber's list shows "approved" through its periodic refresh, without a restart.

Set PORTAL_SCREENSHOTS=<dir> to save a picture of each window on the way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from portal_client.core.demo_server import DEMO_ACCOUNTS
from portal_client.core.settings import Settings
from portal_client.gui import ops
from portal_client.gui.app import PortalApp, create_application
from portal_client.gui.composer import TEMPLATE_ROLE, ComposerPage
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server

TIMEOUT_MS = 30_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with start_live_server(tmp_path / "server") as live:
        yield live


def screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def settle(qtbot: QtBot, widget: QWidget) -> None:
    """Let layouts and paints catch up (before a screenshot)."""
    qtbot.waitExposed(widget)
    qtbot.wait(150)


class AlreadyRunning:
    """Stands in for the --demo child process: the test's server is already up."""

    def __init__(self, url: str) -> None:
        self.url = url

    def start(self) -> str:
        return self.url

    def stop(self) -> None:
        pass


def sign_in(qtbot: QtBot, server: LiveServer, username: str, demo: bool = False) -> PortalApp:
    portal = PortalApp(
        Settings(server_url="http://127.0.0.1:9"),  # demo mode replaces it; else set below
        demo=demo,
        save_settings=False,
        demo_server_factory=lambda: AlreadyRunning(server.url),  # type: ignore[arg-type,return-value]
    )
    if not demo:
        portal.sign_in.set_server_url(server.url)
    qtbot.addWidget(portal.sign_in)
    portal.sign_in.resize(900, 620)
    portal.start()
    qtbot.waitExposed(portal.sign_in)
    if demo:
        assert set(portal.sign_in.demo_buttons) == {a.username for a in DEMO_ACCOUNTS}
        qtbot.waitUntil(lambda: portal.settings.server_url == server.url, timeout=TIMEOUT_MS)
    qtbot.keyClicks(portal.sign_in.username, username)
    qtbot.keyClicks(portal.sign_in.password, DEMO_PASSWORD)
    if demo:
        settle(qtbot, portal.sign_in)
        screenshot(portal.sign_in, "sign-in")
    portal.sign_in.submit.click()
    qtbot.waitUntil(lambda: portal.main_window is not None, timeout=TIMEOUT_MS)
    assert portal.main_window is not None
    qtbot.addWidget(portal.main_window)
    portal.main_window.resize(1280, 800)
    return portal


def add_lab(qtbot: QtBot, composer: ComposerPage, *values: str) -> None:
    """Click "Add lab result" and type one result into the new row's editors."""
    composer.add_lab_button.click()
    row = composer.labs_table.rowCount() - 1
    code, date, value, unit, interpretation = (
        composer.labs_table.cellWidget(row, column) for column in range(5)
    )
    code.setCurrentText(values[0])  # type: ignore[union-attr]
    for editor, text in ((date, values[1]), (value, values[2]), (unit, values[3])):
        qtbot.keyClicks(editor, text)
    interpretation.setCurrentIndex(interpretation.findData(values[4]))  # type: ignore[union-attr]


def test_prescriber_submits_pharmacist_approves_prescriber_sees_it(
    qtbot: QtBot, server: LiveServer
) -> None:
    create_application([])

    # --- prescriber1 composes and submits
    prescriber = sign_in(qtbot, server, "prescriber1", demo=True)
    window = prescriber.main_window
    assert isinstance(window, PrescriberWindow)
    assert window.windowTitle() == "IV Prescriber Portal — Dr. Maya Chen (prescriber)"
    window.new_button.click()
    composer = window.composer
    qtbot.waitUntil(lambda: bool(composer.templates), timeout=TIMEOUT_MS)
    tree = composer.template_tree
    target = next(
        tree.topLevelItem(i).child(j)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
        if tree.topLevelItem(i).child(j).data(0, TEMPLATE_ROLE)[0] == "myers-infusion"
    )
    tree.setCurrentItem(target)  # what a click on the template does
    qtbot.keyClicks(composer.given_name, "Grace")
    qtbot.keyClicks(composer.family_name, "Hopper")
    qtbot.keyClicks(composer.birth_date, "1975-12-09")
    composer.sex.setCurrentIndex(composer.sex.findData("female"))
    qtbot.keyClicks(composer.weight_edit, "64")
    qtbot.keyClicks(composer.allergies, "latex")
    composer.submit.click()  # too early: the vitamin C gate wants G6PD and renal labs
    assert "G6PD" in composer.summary.label.text()
    add_lab(qtbot, composer, "g6pd", "2026-10-01", "", "", "normal")
    add_lab(qtbot, composer, "creatinine", "2026-11-01", "0.9", "mg/dL", "normal")
    assert composer.current_errors == {}
    settle(qtbot, window)
    screenshot(window, "composer")
    scroll = composer.scroll_area.verticalScrollBar()
    scroll.setValue(scroll.maximum())
    settle(qtbot, window)
    screenshot(window, "composer-labs")
    with qtbot.waitSignal(composer.submitted, timeout=TIMEOUT_MS) as sent:
        composer.submit.click()
    prescription = sent.args[0]
    assert prescription["status"] == "submitted"
    assert window.pages.currentIndex() == 0  # back on "My prescriptions"
    assert window.browser.current_id() == prescription["id"]
    assert "Hopper" not in window.windowTitle()

    # --- pharmacist1, a second client in the same process, approves it
    pharmacist = sign_in(qtbot, server, "pharmacist1")
    queue = pharmacist.main_window
    assert isinstance(queue, PharmacistWindow)
    qtbot.waitUntil(
        lambda: queue.browser.model.row_for(prescription["id"]) is not None, timeout=TIMEOUT_MS
    )
    queue.browser.select(prescription["id"])
    assert "HOPPER, Grace" in queue.browser.detail.toPlainText()
    assert "latex" in queue.browser.detail.toPlainText()
    settle(qtbot, queue)
    screenshot(queue, "pharmacist-queue")
    with qtbot.waitSignal(queue.reviewed, timeout=TIMEOUT_MS):
        queue.approve_button.click()

    # --- the prescriber's list catches up by its own periodic refresh
    window.refresh_timer.setInterval(200)  # the 20 s of real use, shortened for the test
    window.refresh_timer.start()
    row = window.browser.model.row_for(prescription["id"])
    assert row is not None

    def shows_approved() -> bool:
        index = window.browser.model.row_for(prescription["id"])
        return index is not None and window.browser.model.state.rows[index].status == "approved"

    qtbot.waitUntil(shows_approved, timeout=TIMEOUT_MS)
    assert "Approved" in window.browser.detail.toPlainText()
    settle(qtbot, window)
    screenshot(window, "prescriber-list")

    # --- both sign out; the sign-in window is back and empty
    pharmacist.sign_out()
    prescriber.sign_out()
    assert prescriber.main_window is None and prescriber.sign_in.isVisible()
    assert prescriber.sign_in.password.text() == ""
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
