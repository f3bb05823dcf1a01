"""The status badge painted in prescription tables, and the model's custom roles."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from portal_client.core.status_colours import STATUS_COLOURS, UNKNOWN_STATUS_COLOURS

STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class StatusBadgeDelegate(QStyledItemDelegate):
    """Paints the status column as a coloured pill around the model's DisplayRole text."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        status = str(index.data(STATUS_ROLE) or "")
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or status.capitalize())
        background, foreground = STATUS_COLOURS.get(status, UNKNOWN_STATUS_COLOURS)
        if option.state & QStyle.StateFlag.State_Selected:  # keep the row highlight
            painter.fillRect(option.rect, option.palette.highlight())
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(text) + 18
        height = metrics.height() + 6
        rect = QRectF(
            option.rect.left() + 6,
            option.rect.center().y() - height / 2 + 1,
            min(width, option.rect.width() - 12),
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(foreground))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)  # the view's own font, as paint() gets it
        font = styled.font
        font.setBold(True)  # the pill's text is bold: measure it so, plus the pill's padding
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = QFontMetrics(font).horizontalAdvance(text) + 18 + 12 + 4
        return QSize(max(hint.width(), width, 110), hint.height() + 8)
