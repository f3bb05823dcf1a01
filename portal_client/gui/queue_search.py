"""The pharmacist queue's search box: a reference or the start of a patient's name, asked
for once typing pauses (or on Enter). The text is patient data: it goes to the server as
the list's ``q`` and nowhere else (never a log, a title or the settings)."""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

#: The search asks the server once typing pauses this long.
SEARCH_DEBOUNCE_MS = 300
#: The box's narrowest, and the room beside its hint (clear button, padding, frame).
MINIMUM_WIDTH = 180
HINT_ROOM = 56


class QueueSearchBox(QLineEdit):
    """Signals:
    search_wanted(): the text settled (a pause after typing, or Enter): ask for it.
    """

    search_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("Reference or patient name"))
        self.setAccessibleName(self.tr("Search the queue"))
        self.setToolTip(self.tr("A reference (RX-…), or the start of the family or given name"))
        self.setClearButtonEnabled(True)
        # As wide as the whole hint (in the language shown), its clear button and padding
        # where the header has room (an elided hint no longer says what the box
        # searches); narrower only when the window is.
        hint_width = self.fontMetrics().horizontalAdvance(self.placeholderText())
        self._preferred_width = max(MINIMUM_WIDTH, hint_width + HINT_ROOM)
        self.setMinimumWidth(MINIMUM_WIDTH)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.settle)
        self.textEdited.connect(lambda _text: self._debounce.start())  # restarts each key
        self.returnPressed.connect(self.settle)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self._preferred_width), hint.height())

    @property
    def search(self) -> str:
        """The text as sent: spaces collapsed."""
        return " ".join(self.text().split())

    def settle(self) -> None:
        self._debounce.stop()
        self.search_wanted.emit()
