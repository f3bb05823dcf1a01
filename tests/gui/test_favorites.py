"""Favorites through the prescriber's real window against a real server: save the order
being composed under a name, start a new prescription from it with one click, see a newer
template version's changes before signing, and a refused save keeps the name typed.

Set PORTAL_SCREENSHOTS=<dir> to save the composer with favorites in use."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from pharmacy_domain.numbers import format_amount
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.wire import FavoriteWire
from portal_client.gui.actions import SHORTCUTS
from portal_client.gui.favorite_dialog import FavoriteNameDialog
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.e2e.test_full_path import screenshot, settle
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000
MYERS = "myers-infusion"


def _window(qtbot: QtBot, client: ApiClient, data_dir: Path) -> PrescriberWindow:
    assert client.user is not None
    window = PrescriberWindow(client, client.user, store_opener=opener(data_dir, MemoryKeyring()))
    qtbot.addWidget(window)
    window.resize(1366, 860)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.templates), timeout=TIMEOUT_MS)
    return window


def _composing_myers(qtbot: QtBot, window: PrescriberWindow) -> None:
    window.new_from_list()
    composer = window.composer
    qtbot.waitUntil(lambda: bool(composer.templates), timeout=TIMEOUT_MS)
    composer.select_template(MYERS)
    assert composer.state.template is not None and composer.state.template.id == MYERS


def _save_dialog(qtbot: QtBot, window: PrescriberWindow, name: str) -> FavoriteNameDialog:
    window.favorites.action.trigger()
    dialog = window.favorites.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)
    dialog.name.setText(name)
    return dialog


def _favorite_named(client: ApiClient, name: str) -> FavoriteWire:
    return next(f for f in client.list_favorites() if f.name == name)


def test_save_a_favorite_then_start_a_new_prescription_from_it(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    window = _window(qtbot, client, tmp_path)
    assert window.favorites.action.shortcut().toString() == SHORTCUTS["save_favorite"].keys
    _composing_myers(qtbot, window)
    composer = window.composer
    magnesium = composer.state.template.ingredients[0]  # type: ignore[union-attr]
    composer.state.amounts[magnesium.code] = "4"
    composer.open_draft(composer.state.draft_id, composer.state.to_draft())
    composer.given_name.setText("Ada")  # never saved into the favorite

    name = "Myers' — my usual"  # this module's server is its own: the name is free
    dialog = _save_dialog(qtbot, window, name)
    with qtbot.waitSignal(window.favorites.saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    favorite: FavoriteWire = saved.args[0]
    assert favorite.name == name and not dialog.isVisible()
    assert "patient" not in favorite.content
    assert favorite.content["ingredients"][0] == {
        "code": magnesium.code,
        "amount": 4,
        "unit": magnesium.unit,
    }
    card = composer.template_card
    qtbot.waitUntil(lambda: card.favorite_item(favorite.id) is not None, timeout=TIMEOUT_MS)
    assert card.favorite_item(favorite.id).text(0) == name  # type: ignore[union-attr]

    # A new prescription: the patient first, then one click on the favorite.
    composer.start_new()
    composer.state.amounts[magnesium.code] = "1"
    for editor, text in ((composer.given_name, "Grace"), (composer.family_name, "Hopper")):
        qtbot.keyClicks(editor, text)
    item = composer.template_card.favorite_item(favorite.id)
    assert item is not None
    tree = composer.template_card.tree
    tree.scrollToItem(item)
    with qtbot.waitSignal(window.favorites.opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(
            tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
        )
    plan = opened.args[0]
    assert not plan.template_changed
    assert composer.state.amounts[magnesium.code] == "4"
    assert composer.given_name.text() == "Grace"  # the patient on screen is kept
    assert composer.family_name.text() == "Hopper"
    assert f"“{name}”" in composer.status_banner.label.text()
    settle(qtbot, window)
    screenshot(window, "composer-favorites")

    # Enter on the favorite's row does the same.
    item = composer.template_card.favorite_item(favorite.id)
    assert item is not None
    tree.setCurrentItem(item)
    with qtbot.waitSignal(window.favorites.opened, timeout=TIMEOUT_MS):
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert client.delete_favorite(favorite.id)
    client.logout()


def test_a_refused_save_keeps_the_name_typed(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    name = f"Taken {uuid.uuid4().hex[:6]}"
    window = _window(qtbot, client, tmp_path)
    _composing_myers(qtbot, window)
    content = {"ingredients": [{"code": "ascorbic-acid-500", "amount": 5, "unit": "mL"}]}
    taken = client.create_favorite(name, MYERS, 1, content)

    dialog = _save_dialog(qtbot, window, name.upper())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.name_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.isVisible() and dialog.name.text() == name.upper()
    assert "already the name" in dialog.name_error.text()
    assert dialog.save_button.isEnabled()

    # A name the text rules refuse is said before anything is sent.
    dialog.name.setText("x" * 81)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "at most 80 characters" in dialog.name_error.text()
    assert dialog.name.text() == "x" * 81
    dialog.reject()

    # A dose above the template's hard limit: the ingredient is named under the name.
    composer = window.composer
    magnesium = composer.state.template.ingredients[0]  # type: ignore[union-attr]
    composer.state.amounts[magnesium.code] = format_amount(magnesium.block_above + 1)
    dialog = _save_dialog(qtbot, window, "Too strong")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert f"{magnesium.name}: " in dialog.error.text() and "hard limit" in dialog.error.text()
    assert dialog.name.text() == "Too strong" and not dialog.name_error.isVisible()
    dialog.reject()
    assert client.delete_favorite(taken.id)
    client.logout()


def test_a_newer_template_version_is_listed_before_signing(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    content = {
        "ingredients": [
            {"code": "magnesium-chloride-20", "amount": 4, "unit": "mL"},
            {"code": "calcium-gluconate-10", "amount": 2, "unit": "mL"},
        ]
    }
    favorite = client.create_favorite("Myers' — Friday bag", MYERS, 1, content)
    window = _window(qtbot, client, tmp_path)
    qtbot.waitUntil(
        lambda: window.composer.template_card.favorite_item(favorite.id) is not None,
        timeout=TIMEOUT_MS,
    )
    # The pharmacy publishes version 2 without calcium and with a lower magnesium limit.
    v1 = next(t for t in window.templates if t.id == MYERS)
    magnesium = dataclasses.replace(v1.ingredients[0], hard_max=3.0, max_amount=3.0)
    v2: Template = dataclasses.replace(v1, version=2, ingredients=(magnesium, *v1.ingredients[2:]))
    window.templates = [v2 if t.id == MYERS else t for t in window.templates]

    with qtbot.waitSignal(window.favorites.opened, timeout=TIMEOUT_MS) as opened:
        window.composer.template_card.favorite_chosen.emit(favorite)
    plan = opened.args[0]
    composer = window.composer
    assert window.pages.currentWidget() is composer
    assert composer.state.template is not None and composer.state.template.version == 2
    banner = composer.status_banner.label.text()
    assert "changed since version 1 (now version 2)" in banner
    assert f"{v1.ingredients[1].name}: removed from the template" in banner
    assert f"{magnesium.name}: 4 mL is outside this version's limits" in banner
    assert plan.template_changed and composer.state.amounts[magnesium.code] == "4"
    settle(qtbot, window)
    screenshot(window, "composer-favorite-changed")
    assert client.delete_favorite(favorite.id)
    client.logout()


def test_rename_and_delete_from_the_list(qtbot: QtBot, server: LiveServer, tmp_path: Path) -> None:
    client = sign_in(server, "prescriber1")
    content = {"ingredients": [{"code": "ascorbic-acid-500", "amount": 5, "unit": "mL"}]}
    favorite = client.create_favorite(f"Old {uuid.uuid4().hex[:6]}", MYERS, 1, content)
    window = _window(qtbot, client, tmp_path)
    card = window.composer.template_card
    qtbot.waitUntil(lambda: card.favorite_item(favorite.id) is not None, timeout=TIMEOUT_MS)

    orders = window.favorites
    assert not orders.rename_action.isEnabled()  # no favorite selected yet
    item = card.favorite_item(favorite.id)
    assert item is not None
    card.tree.setCurrentItem(item)
    assert orders.rename_action.isEnabled() and orders.delete_action.isEnabled()
    assert orders.context_menu.actions() == [orders.rename_action, orders.delete_action]
    orders.rename_action.trigger()
    dialog = window.favorites.dialog
    assert dialog is not None and dialog.name.text() == favorite.name
    new_name = f"New {uuid.uuid4().hex[:6]}"
    dialog.name.setText(new_name)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: getattr(card.favorite_item(favorite.id), "text", lambda _c: "")(0) == new_name,
        timeout=TIMEOUT_MS,
    )

    box = window.favorites.ask_delete(_favorite_named(client, new_name))
    delete = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.favorite_item(favorite.id) is None, timeout=TIMEOUT_MS)
    assert all(f.id != favorite.id for f in client.list_favorites())
    client.logout()
