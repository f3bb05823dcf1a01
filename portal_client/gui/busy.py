"""Progress in place: a busy bar (and a Cancel where stopping is safe) beside the work.

A busy ``QProgressBar`` (range 0..0) says "working" where words alone ("Signing…")
left the user wondering. Cancel is offered only for work whose answer may simply be
dropped (a list load, a search), never for a signature or a submission.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

#: A busy bar's width in the font's average characters, so it scales with the text.
BAR_WIDTH_CHARS = 12


def busy_bar(parent: QWidget | None = None, *, full_width: bool = False) -> QProgressBar:
    """A slim indeterminate bar, hidden until the work starts (``full_width``: as wide
    as its layout gives, else a dozen characters)."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)  # busy: no percentage to promise
    bar.setTextVisible(False)
    bar.setAccessibleName(QCoreApplication.translate("Busy", "Working"))
    bar.setMaximumHeight(bar.fontMetrics().height() // 2 + 2)
    if not full_width:
        bar.setFixedWidth(bar.fontMetrics().averageCharWidth() * BAR_WIDTH_CHARS)
    bar.hide()
    return bar


class BusyIndicator(QWidget):
    """What is being done, a busy bar and, when safe, Cancel.

    Signals:
        cancelled(): the user asked to stop; the owner drops the answer when it comes.
    """

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.label = QLabel()
        self.label.setObjectName("Muted")
        self.bar = busy_bar()
        self.bar.show()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("Link")
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str, *, cancellable: bool) -> None:
        self.label.setText(text)
        self.cancel_button.setVisible(cancellable)
        self.show()

    def stop(self) -> None:
        self.hide()

    def _cancel(self) -> None:
        self.hide()
        self.cancelled.emit()
