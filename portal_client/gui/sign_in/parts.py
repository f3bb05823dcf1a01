"""The sign-in window's parts: the password step, the code step, the server row and the
demo accounts card. Like the window, they avoid the ``Qt`` namespace (start-up cost)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.settings import Settings, normalize_server_url
from portal_client.core.sign_in import server_label_text
from portal_client.gui import resources
from portal_client.gui.i18n import translate
from portal_client.gui.widgets import Banner, muted, section_title


class CredentialsPage(QWidget):
    """User name, password and "remember my user name"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fields = QVBoxLayout(self)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(8)
        self.username = QLineEdit()
        self.username.setPlaceholderText(self.tr("User name"))
        self.username.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit()
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        fields.addWidget(QLabel(self.tr("User name")))
        fields.addWidget(self.username)
        fields.addSpacing(4)
        fields.addWidget(QLabel(self.tr("Password")))
        fields.addWidget(self.password)
        self.remember = QCheckBox(self.tr("Remember my user name on this computer"))
        self.remember.setChecked(True)
        self.remember.setAccessibleName(self.tr("Remember my user name"))
        fields.addWidget(self.remember)


class CodePage(QWidget):
    """The 6-digit code from the authenticator app (built on first use)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from portal_client.gui.lock_screen import code_field

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        layout.addWidget(self.prompt)
        self.code = code_field()
        layout.addWidget(self.code)
        layout.addWidget(
            muted(
                self.tr(
                    "Open the authenticator app on your phone (for example Google or "
                    "Microsoft Authenticator) and type the code shown for this portal. "
                    "Codes change every 30 seconds and work once."
                ),
                hint=True,
            )
        )
        self.back_button = QPushButton(self.tr("← Use another account"))
        self.back_button.setObjectName("Link")
        layout.addWidget(self.back_button)


class ServerRow(QWidget):
    """The server in use (``settings.server_url``), and after "Change" an editor for
    another address, which is checked in the background (``core.server_check``: a
    pharmacy server of a known API version) before it is written into the settings.

    Signals:
        changed(str): the user switched to this (normalized) server address.
    """

    changed = Signal(str)

    def __init__(
        self, settings: Settings, device_pixel_ratio: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        icon = QLabel()
        icon.setPixmap(resources.early_pixmap("server", 14, device_pixel_ratio))
        self.label = muted("", hint=True)
        self.change = QPushButton(self.tr("Change"))
        self.change.setObjectName("Link")
        grid.addWidget(icon, 0, 0)
        grid.addWidget(self.label, 0, 1)
        grid.addWidget(self.change, 0, 2)
        grid.setColumnStretch(1, 1)

        self.edit = QLineEdit()
        self.edit.setPlaceholderText("https://pharmacy.example.org")
        self.edit.setAccessibleName(self.tr("Server address"))
        self.save = QPushButton(self.tr("Use"))
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        grid.addWidget(self.edit, 1, 0, 1, 2)
        grid.addWidget(self.save, 1, 2)
        grid.addWidget(self.error, 2, 0, 1, 3)
        self.show_editor(False)
        self.show_url()
        self.change.clicked.connect(lambda: self.show_editor(True))
        self.save.clicked.connect(self.apply)
        self.edit.returnPressed.connect(self.apply)

    def show_url(self) -> None:
        url = self.settings.server_url or ""
        self.label.setText(server_label_text(url))
        self.label.setToolTip(url)

    def show_editor(self, visible: bool) -> None:
        self.edit.setVisible(visible)
        self.save.setVisible(visible)
        self.change.setVisible(not visible)
        if visible:
            self.edit.setText(self.settings.server_url or "")
            self.edit.setFocus()
            self.edit.selectAll()
        else:
            self.error.hide()

    def apply(self) -> None:
        """Check the address typed, then use it; or say what is wrong with it."""
        if not self.save.isEnabled():
            return  # a check is running
        try:
            url = normalize_server_url(self.edit.text())
        except ValueError as error:
            self._refuse(str(error))
            return
        from portal_client.gui.ops import Op

        ca_bundle = self.settings.ca_bundle

        def check() -> str:
            from portal_client.core.server_check import check_server

            check_server(url, ca_bundle=ca_bundle)
            return url

        self.error.hide()
        self._set_checking(True)
        (
            Op(self, check)
            .success(self._use)
            .failure(lambda error: self._refuse(str(error)))
            .finally_(lambda: self._set_checking(False))
            .run()
        )

    def _set_checking(self, checking: bool) -> None:
        self.edit.setEnabled(not checking)
        self.save.setEnabled(not checking)
        self.save.setText(self.tr("Checking…") if checking else self.tr("Use"))

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.edit.setFocus()

    def _use(self, url: str) -> None:
        self.settings.server_url = url
        self.show_url()
        self.show_editor(False)
        self.changed.emit(url)


class DemoAccountsCard(QFrame):
    """Demo mode: one button per demo account, and the demo server's state.

    Signals:
        chosen(str): the user name of the account clicked.
    """

    chosen = Signal(str)

    def __init__(
        self, accounts: Sequence[Any], password: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFixedWidth(330)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(6)
        layout.addWidget(section_title(self.tr("Demo accounts")))
        layout.addWidget(
            muted(
                self.tr("All use the password “{password}”. Click one to fill in the form.").format(
                    password=password
                ),
                hint=True,
            )
        )
        self.status = Banner()
        layout.addWidget(self.status)
        self.buttons: dict[str, QPushButton] = {}
        for account in accounts:
            description = translate("DemoServer", account.description)
            button = QPushButton(f"{account.username}\n{description}")
            button.setObjectName("Account")
            button.setIcon(resources.icon("user"))
            button.clicked.connect(lambda _=False, name=account.username: self.chosen.emit(name))
            layout.addWidget(button)
            self.buttons[account.username] = button
