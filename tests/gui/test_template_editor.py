"""The Templates and Formulary tabs against a real server: a new version drafted in the
JSON editor, published only by someone else, and every refusal shown by field and line
with the text kept as typed."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from portal_client.gui.admin_window import AdministrationWindow
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.template_editor import CatalogEditorView
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


def editor_for(qtbot: QtBot, server: LiveServer, username: str, tab: str) -> CatalogEditorView:
    client = sign_in(server, username)
    owner = PortalMainWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(owner)
    owner.open_administration(tab)
    window = owner._admin_window
    assert isinstance(window, AdministrationWindow)
    view = window.tabs.templates if tab == "templates" else window.tabs.formulary
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: bool(view.entities), timeout=TIMEOUT_MS)
    return view


def open_template(qtbot: QtBot, view: CatalogEditorView, template_id: str) -> None:
    view.select_entity(template_id)
    qtbot.waitUntil(
        lambda: view.shown is not None and view.shown.version.entity_id == template_id,
        timeout=TIMEOUT_MS,
    )


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def test_a_new_version_is_drafted_and_only_someone_else_publishes_it(
    qtbot: QtBot, server: LiveServer
) -> None:
    author = editor_for(qtbot, server, "pharmacist1", "templates")
    open_template(qtbot, author, "hydration-magnesium")
    assert not author.publish_button.isEnabled()  # version 1 is published already
    author.new_button.click()
    assert author.editing and author.reason.isVisible()
    content = json.loads(author.editor.toPlainText())
    content["description"] = "Reworded by the pharmacy."
    author.editor.setPlainText(json.dumps(content, indent=2))
    qtbot.keyClicks(author.reason, "Clearer description")
    author.save_button.click()
    qtbot.waitUntil(lambda: cell(author.table, 0, 1) == "Draft", timeout=TIMEOUT_MS)
    assert (cell(author.table, 0, 0), cell(author.table, 0, 2)) == ("2", "pharmacist1")
    assert cell(author.table, 0, 3) == "Clearer description"
    qtbot.waitUntil(lambda: not author.editing, timeout=TIMEOUT_MS)
    author.table.selectRow(0)
    assert not author.publish_button.isEnabled()  # the author's own draft

    publisher = editor_for(qtbot, server, "admin1", "templates")
    open_template(qtbot, publisher, "hydration-magnesium")
    publisher.table.selectRow(0)
    assert publisher.publish_button.isEnabled()
    publisher.publish_button.click()
    qtbot.waitUntil(lambda: cell(publisher.table, 0, 1) == "Published", timeout=TIMEOUT_MS)
    assert cell(publisher.table, 0, 4) == "admin1"
    assert cell(publisher.table, 1, 1) == "Retired"
    assert "published" in publisher.banner.label.text()


def test_refusals_are_shown_by_field_and_line_and_the_text_is_kept(
    qtbot: QtBot, server: LiveServer
) -> None:
    view = editor_for(qtbot, server, "pharmacist1", "templates")
    open_template(qtbot, view, "trace-elements")
    view.new_button.click()
    content = json.loads(view.editor.toPlainText())
    content["ingredients"][0]["min_amount"] = "lots"
    typed = json.dumps(content, indent=2)
    view.editor.setPlainText(typed)
    qtbot.keyClicks(view.reason, "Break a field")
    view.save_button.click()
    qtbot.waitUntil(lambda: bool(view.problems), timeout=TIMEOUT_MS)
    problem = view.problems[0]
    assert problem.field == "ingredients[0].min_amount"
    assert problem.line is not None
    assert '"min_amount": "lots"' in typed.splitlines()[problem.line - 1]
    assert view.editor.toPlainText() == typed and view.editing
    assert view.problem_list.isVisible()

    # Text that is no JSON at all is refused here, with its line, and nothing is sent.
    broken = typed.replace('"name":', '"name"', 1)
    view.editor.setPlainText(broken)
    view.save_button.click()
    assert len(view.problems) == 1 and view.problems[0].line is not None
    assert "Not valid JSON" in view.problems[0].reason
    assert view.editor.toPlainText() == broken
    view.cancel_button.click()
    assert not view.editing


def test_the_formulary_tab_lists_its_versions(qtbot: QtBot, server: LiveServer) -> None:
    view = editor_for(qtbot, server, "pharmacist1", "formulary")
    assert not view.entity_list.isVisibleTo(view)  # one formulary: no list of entities
    qtbot.waitUntil(lambda: view.shown is not None, timeout=TIMEOUT_MS)
    assert cell(view.table, 0, 1) == "Published" and cell(view.table, 0, 2) == "resources"
    assert '"products"' in view.editor.toPlainText()
    assert not view.delete_button.isEnabled()  # the published version stays
