"""The sign-in window's language choice: a link that opens a small menu.

The catalogues are installed at start-up (``portal_client.gui.i18n``), so a new choice
is saved in the settings and takes effect the next time the client starts; the row says
so, in the language chosen. The menu is built on first click (start-up cost).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from portal_client.core.settings import Settings
from portal_client.gui.i18n import LANGUAGE_NAMES
from portal_client.gui.widgets import muted

#: Said in the language chosen: the one the user reads.
NEXT_START_NOTICES = {
    "en": "The portal opens in English the next time it starts.",
    "es": "El portal se abrirá en español la próxima vez que se inicie.",
}


class LanguageRow(QWidget):
    """ "Language: English" and, after a change, when it takes effect.

    Signals:
        changed(str): the ``language`` setting now holds this choice (save the settings).
    """

    changed = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._started_with = settings.language
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        layout = QHBoxLayout()
        layout.setSpacing(6)
        self.caption = QLabel(self.tr("Language:"))
        self.caption.setObjectName("Hint")
        self.button = QPushButton()
        self.button.setObjectName("Link")
        self.button.setAccessibleName(self.tr("Language"))
        self.button.setToolTip(self.tr("The language of the portal's windows"))
        self.caption.setBuddy(self.button)
        layout.addWidget(self.caption)
        layout.addWidget(self.button)
        layout.addStretch(1)
        column.addLayout(layout)
        self.notice = muted("", hint=True)
        self.notice.hide()
        column.addWidget(self.notice)
        self.button.clicked.connect(self._open_menu)
        self._show_choice()

    def choice_text(self, choice: str) -> str:
        if choice == "system":
            return self.tr("As the system")
        return LANGUAGE_NAMES[choice]

    def _show_choice(self) -> None:
        self.button.setText(self.choice_text(self.settings.language))

    def _open_menu(self) -> None:
        from PySide6.QtGui import QActionGroup
        from PySide6.QtWidgets import QMenu

        from portal_client.core.i18n import LANGUAGE_CHOICES

        menu = QMenu(self)
        group = QActionGroup(menu)
        for choice in LANGUAGE_CHOICES:
            action = menu.addAction(self.choice_text(choice))
            action.setCheckable(True)
            action.setChecked(choice == self.settings.language)
            action.setData(choice)
            group.addAction(action)
        group.triggered.connect(lambda action: self.choose(str(action.data())))
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))
        self.menu = menu

    def choose(self, choice: str) -> None:
        """Keep ``choice`` in the settings; it applies from the next start."""
        if choice == self.settings.language:
            return
        self.settings.language = choice
        self._show_choice()
        if choice == self._started_with:
            self.notice.hide()
        else:
            notice = NEXT_START_NOTICES.get(choice) or self.tr(
                "The portal follows the system's language the next time it starts."
            )
            self.notice.setText(notice)
            self.notice.show()
        self.changed.emit(choice)
