"""Layouts that must hold at 1366×768: nothing squeezed, clipped or scrolled sideways."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.core.demo_server import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal_client.core.settings import Settings, WindowPrefs
from portal_client.gui.app import MAIN_WINDOW_MINIMUM, main_window_size
from portal_client.gui.composer import ComposerPage
from portal_client.gui.sign_in import NO_KEYRING_USERNAME_NOTICE, SignInWindow
from tests.gui.test_composer import fill_patient


def test_first_window_takes_most_of_the_free_screen() -> None:
    assert main_window_size(WindowPrefs(), (1366, 738)) == (1229, 664)
    assert main_window_size(WindowPrefs(), (1920, 1050)) == (1728, 945)


def test_a_remembered_size_is_kept_but_never_larger_than_the_screen() -> None:
    remembered = WindowPrefs(width=1500, height=900)
    assert main_window_size(remembered, (1920, 1050)) == (1500, 900)
    assert main_window_size(remembered, (1366, 738)) == (1366, 738)  # from a larger monitor


def test_a_small_screen_gets_the_composer_minimum_or_all_of_it() -> None:
    width, height = main_window_size(WindowPrefs(), (1024, 600))
    assert (width, height) == (MAIN_WINDOW_MINIMUM[0], 600)


def test_sign_in_grows_for_its_notices_instead_of_squashing_the_fields(qtbot: QtBot) -> None:
    widget = SignInWindow(
        Settings(server_url="http://127.0.0.1:9"),
        demo_accounts=DEMO_ACCOUNTS,
        demo_password=DEMO_PASSWORD,
    )
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget._show_keyring_notice(False)
    widget.error_banner.show_message("Wrong user name or password. Check both and try again.")
    QApplication.processEvents()
    qtbot.waitUntil(lambda: widget.height() >= widget._needed_height())
    for field in (widget.username, widget.password):
        assert field.height() >= field.sizeHint().height(), field.accessibleName()
    assert widget.keyring_notice.text() == NO_KEYRING_USERNAME_NOTICE
    notice = widget.keyring_notice
    assert notice.height() >= notice.heightForWidth(notice.width())


@pytest.mark.parametrize("template_id", ["vitamin-c-high-dose", "tpn-adult-central", "myers-push"])
def test_checks_panel_wraps_and_never_scrolls_sideways(
    qtbot: QtBot, closed_port_url: str, templates: list[Template], template_id: str
) -> None:
    page = ComposerPage(ApiClient(closed_port_url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1229 - 48, 600)  # the composer inside a first window on a 1366×768 screen
    page.show()
    page.load_templates(templates)
    page.select_template(template_id)
    fill_patient(qtbot, page, labs=False)
    QApplication.processEvents()
    scroll = page.checks.scroll_area
    body = scroll.widget()
    assert body is not None and page.checks.rows  # findings are shown
    qtbot.waitUntil(lambda: body.width() <= scroll.viewport().width())
    assert not scroll.horizontalScrollBar().isVisible()
    assert body.minimumSizeHint().width() <= scroll.viewport().width()
    # Each finding is as tall as its wrapped text needs: nothing cut at the bottom
    # (waited for: Qt lays out nested height-for-width in posted events).
    qtbot.waitUntil(
        lambda: all(row.height() >= row.heightForWidth(row.width()) for row in page.checks.rows)
    )
    for row in page.checks.rows:
        assert row.geometry().right() <= body.width()
    for label in body.findChildren(QLabel):
        if label.isVisible():
            assert label.geometry().right() <= body.width(), label.text()


def test_ingredient_rows_fit_their_wrapped_names(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = ComposerPage(ApiClient(closed_port_url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1000, 640)
    page.show()
    page.load_templates(templates)
    page.select_template("tpn-adult-central")
    QApplication.processEvents()
    table = page.ingredient_table

    def names_fit() -> bool:
        cells = [table.cellWidget(row, 0) for row in range(table.rowCount())]
        return all(c is not None and c.height() >= c.heightForWidth(c.width()) for c in cells)

    assert table.rowCount() > 5
    qtbot.waitUntil(names_fit)
    page.resize(1400, 640)  # wider: rows follow the new width
    qtbot.waitUntil(names_fit)


def test_ctrl_enter_signs_only_when_signing_is_allowed(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    flows: list[dict[str, object]] = []
    page = ComposerPage(
        ApiClient(closed_port_url),
        confirm_discard=lambda _parent: True,
        sign_flow=lambda _page, body, _summary, _done: flows.append(body),
    )
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.load_templates(templates)
    page.select_template("vitamin-c-high-dose")
    fill_patient(qtbot, page, labs=False)  # G6PD and renal function missing: blocked
    assert not page.submit.isEnabled()
    page.sign_by_keyboard()
    assert flows == []  # blocked: Ctrl+Enter does nothing
    page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="normal"))
    page.add_lab(LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"))
    for reason in page.checks.reason_edits.values():
        qtbot.keyClicks(reason, "Discussed with the patient; monitored.")
    assert page.submit.isEnabled()
    assert "Ctrl+Enter" in page.submit.toolTip()
    page.durable = object()  # type: ignore[assignment]  # the local store is open
    page.sign_by_keyboard()
    assert len(flows) == 1 and flows[0]["template_id"] == "vitamin-c-high-dose"
