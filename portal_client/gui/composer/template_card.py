"""The template card: the pharmacy's templates by category, under each template the
prescriber's favorites of it (one click or Enter starts from one), and the chosen
template's description."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.domain_text import category_text
from portal_client.core.favorites import favorites_of
from portal_client.gui import resources
from portal_client.gui.composer.fields import FieldSlot, error_label
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.wire import FavoriteWire

TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 10
FAVORITE_ROLE = Qt.ItemDataRole.UserRole + 11
TEMPLATE_CARD_WIDTH = 240


class _WrappingItemDelegate(QStyledItemDelegate):
    """Rows as tall as their word-wrapped text at the view's current width."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        view = self.parent()
        if not isinstance(view, QTreeWidget):
            return super().sizeHint(option, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = max(40, view.viewport().width() - view.indentation() * depth)
        item_option = QStyleOptionViewItem(option)
        self.initStyleOption(item_option, index)
        item_option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        # The style wraps only within a valid rectangle, so give it a generous height.
        item_option.rect = QRect(0, 0, width, 1000)
        hint = view.style().sizeFromContents(
            QStyle.ContentsType.CT_ItemViewItem, item_option, QSize(), view
        )
        return QSize(width, hint.height() + 2)


class TemplateTree(QTreeWidget):
    """The template list: long names wrap onto a second line instead of being cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_WrappingItemDelegate(self))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # row heights follow the new width


class TemplateCard(QFrame):
    """Signals:
    picked(object): the user chose this ``Template`` in the list.
    favorite_chosen(object): the user clicked (or pressed Enter on) this ``FavoriteWire``.
    favorite_menu(object, QPoint): a favorite's context menu, at this global position.
    """

    picked = Signal(object)
    favorite_chosen = Signal(object)
    favorite_menu = Signal(object, QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFixedWidth(TEMPLATE_CARD_WIDTH)
        self.templates: list[Template] = []
        self.favorites: list[FavoriteWire] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(section_title(self.tr("Template")))
        self.tree = TemplateTree()
        self.tree.setAccessibleName(self.tr("Template"))
        self.tree.setStyleSheet("QTreeWidget { border: none; }")
        layout.addWidget(self.tree, 1)
        self.description = muted("", hint=True)
        self.description.setMinimumHeight(60)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.description)
        self.error = error_label()
        layout.addWidget(self.error)
        self.status = muted(self.tr("Loading templates…"), hint=True)
        layout.addWidget(self.status)
        self.tree.currentItemChanged.connect(self._clicked)
        self.tree.itemClicked.connect(self._favorite_activated)
        self.tree.itemActivated.connect(self._favorite_activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.slot = FieldSlot(self.tree, self.error)

    def show_loading(self) -> None:
        self.status.setText(self.tr("Loading templates…"))
        self.status.show()

    def show_failed(self, error: Exception) -> None:
        self.status.setText(self.tr("Could not load templates: {error}").format(error=error))

    def show_templates(self, templates: Sequence[Template]) -> None:
        self.templates = list(templates)
        self.tree.clear()
        by_category: dict[str, list[Template]] = {}
        for template in sorted(templates, key=lambda t: (t.category, t.name.casefold())):
            by_category.setdefault(template.category, []).append(template)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for category, members in by_category.items():
            head = QTreeWidgetItem([category_text(category).upper()])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setForeground(0, Qt.GlobalColor.darkGray)
            self.tree.addTopLevelItem(head)
            for template in members:
                item = QTreeWidgetItem([template.name])
                item.setData(0, TEMPLATE_ROLE, template.key)
                item.setToolTip(0, f"{template.name}\n\n{template.description}")
                head.addChild(item)
                self._add_favorites(item, template.id)
            head.setExpanded(True)
        self.status.setVisible(not templates)
        self.status.setText(self.tr("No templates are published yet.") if not templates else "")

    def show_favorites(self, favorites: Sequence[FavoriteWire]) -> None:
        """Show ``favorites`` under their templates (the tree keeps its current template)."""
        self.favorites = list(favorites)
        for item in self._template_items():
            item.takeChildren()
            key = item.data(0, TEMPLATE_ROLE)
            self._add_favorites(item, key[0])

    def _add_favorites(self, item: QTreeWidgetItem, template_id: str) -> None:
        for favorite in favorites_of(template_id, self.favorites):
            child = QTreeWidgetItem([favorite.name])
            child.setIcon(0, resources.icon("star"))
            child.setData(0, FAVORITE_ROLE, favorite.id)
            child.setToolTip(
                0,
                self.tr("Start from your favorite “{name}” (click or Enter)").format(
                    name=favorite.name
                ),
            )
            item.addChild(child)
        item.setExpanded(True)

    def _template_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for index in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(index)
            if head is None:
                continue
            items += [c for c in (head.child(i) for i in range(head.childCount())) if c]
        return items

    def favorite_item(self, favorite_id: str) -> QTreeWidgetItem | None:
        """The tree's row of a favorite (tests and keyboard users)."""
        for item in self._template_items():
            for index in range(item.childCount()):
                child = item.child(index)
                if child is not None and child.data(0, FAVORITE_ROLE) == favorite_id:
                    return child
        return None

    def favorite_of(self, item: QTreeWidgetItem | None) -> FavoriteWire | None:
        favorite_id = None if item is None else item.data(0, FAVORITE_ROLE)
        return next((f for f in self.favorites if f.id == favorite_id), None)

    def _favorite_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        favorite = self.favorite_of(item)
        if favorite is not None:
            self.favorite_chosen.emit(favorite)

    def _context_menu(self, position: QPoint) -> None:
        favorite = self.favorite_of(self.tree.itemAt(position))
        if favorite is not None:
            self.favorite_menu.emit(favorite, self.tree.viewport().mapToGlobal(position))

    def show_template(self, template: Template | None) -> None:
        self.description.setText(
            template.description if template else self.tr("Choose the template to prescribe from.")
        )

    def select_template(self, template_id: str) -> None:
        """Pick a template by id (tests and keyboard users)."""
        for index in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(index)
            for child_index in range(head.childCount() if head else 0):
                child = head.child(child_index) if head else None
                key = child.data(0, TEMPLATE_ROLE) if child else None
                if child is not None and key and key[0] == template_id:
                    self.tree.setCurrentItem(child)
                    return
        raise KeyError(template_id)

    def _clicked(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        key = item.data(0, TEMPLATE_ROLE)
        if not key:
            return
        template = next((t for t in self.templates if t.key == tuple(key)), None)
        item.setSelected(True)  # keep the choice visible when focus moves to the form
        if template is not None:
            self.picked.emit(template)
