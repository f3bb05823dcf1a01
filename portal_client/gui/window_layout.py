"""A main window's geometry, splitter positions and column widths, saved and restored.

The states are Qt's own (``saveGeometry``, ``QSplitter.saveState``,
``QHeaderView.saveState``) as base64 text in ``core.settings.WindowLayout``: sizes only.
Splitters and tables are named by class and order in the window, which is the same
every time a window of one role is built.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

from portal_client.core.settings import WindowLayout


def _encode(state: QByteArray) -> str:
    return bytes(state.toBase64().data()).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray.fromBase64(QByteArray(text.encode("ascii")))


def _splitters(window: QWidget) -> dict[str, QSplitter]:
    return {f"QSplitter:{index}": item for index, item in enumerate(window.findChildren(QSplitter))}


def _tables(window: QWidget) -> dict[str, QTableView]:
    return {
        f"QTableView:{index}": item for index, item in enumerate(window.findChildren(QTableView))
    }


def capture_layout(window: QWidget) -> WindowLayout:
    return WindowLayout(
        geometry=_encode(window.saveGeometry()),
        splitters={name: _encode(item.saveState()) for name, item in _splitters(window).items()},
        columns={
            name: _encode(item.horizontalHeader().saveState())
            for name, item in _tables(window).items()
        },
    )


def clamp_to(size: QSize, area: QRect) -> QSize:
    """``size``, no larger than ``area`` (the screen's available geometry)."""
    return QSize(min(size.width(), area.width()), min(size.height(), area.height()))


def restore_layout(window: QWidget, layout: WindowLayout, area: QRect) -> bool:
    """Put ``layout`` back on ``window``; False when it held no geometry to restore.

    Qt moves a restored window back onto a screen; its size is clamped here to ``area``
    too (a layout saved on a larger monitor, or before the scale factor grew).
    """
    for name, splitter in _splitters(window).items():
        if name in layout.splitters:
            splitter.restoreState(_decode(layout.splitters[name]))
    for name, table in _tables(window).items():
        if name in layout.columns:
            table.horizontalHeader().restoreState(_decode(layout.columns[name]))
    if not layout.geometry or not window.restoreGeometry(_decode(layout.geometry)):
        return False
    if not window.isMaximized():
        window.resize(clamp_to(window.size(), area))
        frame = window.frameGeometry()
        left = min(max(area.left(), frame.left()), area.right() - frame.width() + 1)
        top = min(max(area.top(), frame.top()), area.bottom() - frame.height() + 1)
        window.move(max(area.left(), left), max(area.top(), top))
    return True
