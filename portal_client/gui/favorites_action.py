"""Favorites in the prescriber's window: Prescription › Save as favorite… (Ctrl+D) and
the composer's button save the order being composed under a name; the template card
lists each template's favorites to start from (one click or Enter), with Rename… and
Delete in their context menu. Every call runs through ``gui/ops.py``; starting from a
favorite is planned off the GUI thread (a newer template version is read), then the
composer shows it with what changed, as Repeat does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton

from portal_client.core.favorites import FavoritePlan, favorite_content, plan_favorite
from portal_client.core.form_review import field_label
from portal_client.core.wire import FavoriteWire
from portal_client.gui import resources
from portal_client.gui.favorite_dialog import FavoriteNameDialog
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.gui.prescriber_window import PrescriberWindow


class FavoriteOrders(QObject):
    """Signals: loaded(list): the favorites shown; saved(FavoriteWire); opened(FavoritePlan):
    the composer shows a favorite (tests wait on them)."""

    loaded = Signal(object)
    saved = Signal(object)
    opened = Signal(object)

    def __init__(self, window: PrescriberWindow) -> None:
        super().__init__(window)
        self._window = window
        self._busy = False
        self._loads = 0  # only the newest answer is shown (a slow first load comes last)
        self.dialog: FavoriteNameDialog | None = None
        self.action: QAction = window.menus.add_prescription_entry(
            "save_favorite", self.tr("Save as favorite…"), self.save_current
        )
        composer = window.composer
        self.button = QPushButton(self.tr("Save as favorite…"))
        self.button.setIcon(resources.icon("star"))
        self.button.setToolTip(
            self.tr("Keep these doses, vehicle and access under a name, without the patient")
        )
        self.button.clicked.connect(self.save_current)
        composer.sign_bar.extra_actions.addWidget(self.button)
        card = composer.template_card
        card.favorite_chosen.connect(self.start_from)
        card.favorite_menu.connect(self._context_menu)
        # Prescription › Rename favorite… / Delete favorite… act on the favorite selected
        # in the template card; its context menu offers the same two actions.
        menus = window.menus
        self.rename_action = menus.add_prescription_entry(
            "rename_favorite", self.tr("Rename favorite…"), self._rename_selected
        )
        self.delete_action = menus.add_prescription_entry(
            "delete_favorite", self.tr("Delete favorite…"), self._delete_selected
        )
        self.context_menu = QMenu(card.tree)
        self.context_menu.addAction(self.rename_action)
        self.context_menu.addAction(self.delete_action)
        card.tree.currentItemChanged.connect(lambda *_items: self._update_actions())
        self._update_actions()

    def _selected(self) -> FavoriteWire | None:
        card = self._window.composer.template_card
        return card.favorite_of(card.tree.currentItem())

    def _update_actions(self) -> None:
        selected = self._selected() is not None
        self.rename_action.setEnabled(selected)
        self.delete_action.setEnabled(selected)

    @property
    def favorites(self) -> list[FavoriteWire]:
        return self._window.composer.template_card.favorites

    # ------------------------------------------------------------- list

    def load(self) -> None:
        """Fetch the prescriber's favorites and show them under their templates."""
        self._loads += 1
        load = self._loads
        Op(self, self._window.client.list_favorites).success(
            lambda favorites: self._show(load, favorites)
        ).failure(self._failed).run()

    def _show(self, load: int, favorites: list[FavoriteWire]) -> None:
        if load != self._loads:
            return
        self._window.composer.template_card.show_favorites(favorites)
        self.loaded.emit(favorites)

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self._window.composer.status_banner.show_message(
            self.tr("Your favorites could not be loaded or opened: {error}").format(error=error),
            "error",
        )

    # ------------------------------------------------------------- save

    def save_current(self) -> None:
        """Ask for a name and save the composer's order (never its patient)."""
        window = self._window
        state = window.composer.state
        template = state.template
        if template is None:
            window.composer.status_banner.show_message(
                self.tr("Choose a template first: a favorite is an order of one template."),
                "warn",
            )
            return
        client, content = window.client, favorite_content(state.to_body())

        def save(name: str) -> FavoriteWire:
            return client.create_favorite(name, template.id, template.version, content)

        self._open_dialog(
            FavoriteNameDialog(
                self.tr("Save as favorite"),
                self.tr(
                    "Save the doses, vehicle, access and infusion time of this {template} "
                    "order. The patient is not saved."
                ).format(template=template.name),
                save,
                label_for=lambda wire_field: field_label(
                    state.field_for_error(wire_field.removeprefix("content.")), template
                ),
                parent=window,
            )
        )

    def _open_dialog(self, dialog: FavoriteNameDialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self._saved)
        dialog.open()

    def _saved(self, favorite: FavoriteWire) -> None:
        self.saved.emit(favorite)
        self._window.composer.status_banner.show_message(
            self.tr("Saved as your favorite “{name}”.").format(name=favorite.name), "info"
        )
        self.load()

    # ------------------------------------------------------------- start from

    def start_from(self, favorite: FavoriteWire) -> None:
        """Open ``favorite`` in the composer, keeping the patient already there."""
        if self._busy:
            return
        window = self._window
        composer = window.composer
        client, known = window.client, list(window.templates) or list(composer.templates)
        keep = composer.state.to_draft()
        self._busy = True

        def plan() -> FavoritePlan:
            latest = known or client.templates()
            return plan_favorite(favorite, latest, client.template_version, keep)

        Op(self, plan).success(self._open).failure(self._failed).run()

    def _open(self, plan: FavoritePlan) -> None:
        self._busy = False
        window = self._window
        composer = window.composer
        if not any(t.key == plan.template.key for t in composer.templates):
            composer.load_templates(
                [t for t in composer.templates if t.id != plan.template.id] + [plan.template]
            )
            composer.template_card.show_favorites(self.favorites)
        # The draft on screen takes the favorite's order: no second draft is left behind.
        composer.open_draft(composer.state.draft_id, plan.payload)
        window.enter_composer()
        composer.status_banner.show_message(
            plan.message(), "warn" if plan.template_changed else "info"
        )
        self.opened.emit(plan)

    # ------------------------------------------------------------- rename, delete

    def _context_menu(self, favorite: FavoriteWire, position: QPoint) -> None:
        card = self._window.composer.template_card
        item = card.favorite_item(favorite.id)
        if item is not None:
            card.tree.setCurrentItem(item)
            self.context_menu.popup(position)

    def _rename_selected(self) -> None:
        favorite = self._selected()
        if favorite is not None:
            self.rename(favorite)

    def _delete_selected(self) -> None:
        favorite = self._selected()
        if favorite is not None:
            self.ask_delete(favorite)

    def rename(self, favorite: FavoriteWire) -> None:
        client = self._window.client

        def save(name: str) -> FavoriteWire:
            return client.rename_favorite(favorite.id, name, favorite.version)

        self._open_dialog(
            FavoriteNameDialog(
                self.tr("Rename favorite"),
                self.tr("A new name for “{name}”.").format(name=favorite.name),
                save,
                name=favorite.name,
                parent=self._window,
            )
        )

    def ask_delete(self, favorite: FavoriteWire) -> QMessageBox:
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Delete favorite"))
        box.setText(self.tr("Delete your favorite “{name}”?").format(name=favorite.name))
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: self._delete(favorite) if button is delete else None
        )
        box.open()
        return box

    def _delete(self, favorite: FavoriteWire) -> None:
        client = self._window.client
        Op(self, lambda: client.delete_favorite(favorite.id)).success(
            lambda _gone: self.load()
        ).failure(self._failed).run()
