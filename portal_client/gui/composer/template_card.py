"""The template card: the pharmacy's templates by category, the chosen one's description."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
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

from portal_client.gui.composer.fields import FieldSlot, error_label
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template

TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 10
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


def _category_title(category: str) -> str:
    return category.replace("-", " ").replace("_", " ").capitalize()


class TemplateCard(QFrame):
    """Signals:
    picked(object): the user chose this ``Template`` in the list.
    """

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFixedWidth(TEMPLATE_CARD_WIDTH)
        self.templates: list[Template] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(section_title("Template"))
        self.tree = TemplateTree()
        self.tree.setAccessibleName("Template")
        self.tree.setStyleSheet("QTreeWidget { border: none; }")
        layout.addWidget(self.tree, 1)
        self.description = muted("", hint=True)
        self.description.setMinimumHeight(60)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.description)
        self.error = error_label()
        layout.addWidget(self.error)
        self.status = muted("Loading templates…", hint=True)
        layout.addWidget(self.status)
        self.tree.currentItemChanged.connect(self._clicked)
        self.slot = FieldSlot(self.tree, self.error)

    def show_loading(self) -> None:
        self.status.setText("Loading templates…")
        self.status.show()

    def show_failed(self, error: Exception) -> None:
        self.status.setText(f"Could not load templates: {error}")

    def show_templates(self, templates: Sequence[Template]) -> None:
        self.templates = list(templates)
        self.tree.clear()
        by_category: dict[str, list[Template]] = {}
        for template in sorted(templates, key=lambda t: (t.category, t.name.casefold())):
            by_category.setdefault(template.category, []).append(template)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for category, members in by_category.items():
            head = QTreeWidgetItem([_category_title(category).upper()])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setForeground(0, Qt.GlobalColor.darkGray)
            self.tree.addTopLevelItem(head)
            for template in members:
                item = QTreeWidgetItem([template.name])
                item.setData(0, TEMPLATE_ROLE, template.key)
                item.setToolTip(0, f"{template.name}\n\n{template.description}")
                head.addChild(item)
            head.setExpanded(True)
        self.status.setVisible(not templates)
        self.status.setText("No templates are published yet." if not templates else "")

    def show_template(self, template: Template | None) -> None:
        self.description.setText(
            template.description if template else "Choose the template to prescribe from."
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
