"""The first run: which pharmacy server? Asked before the sign-in window when no server
is configured, and checked in the background before it is saved.

The check (``core.server_check``) runs through ``Op``, never on the GUI thread: the
address answers ``/healthz``, it is a pharmacy server, and it speaks an API version
this client knows. Whatever fails, the window says which and keeps what was typed.
Like the sign-in window it avoids the ``Qt`` namespace (start-up cost).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from portal_client import APP_NAME
from portal_client.core.settings import Settings, normalize_server_url
from portal_client.gui import resources
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, card, muted


class FirstRunWindow(QWidget):
    """The pharmacy's address (and, for a private CA, its certificate bundle).

    Signals:
        confirmed(url, ca_bundle): the server answered as a compatible pharmacy server;
            ``ca_bundle`` is a path or ``None``.
    """

    confirmed = Signal(str, object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FirstRunWindow")
        self.setWindowTitle(self.tr("{app} — Connect to your pharmacy").format(app=APP_NAME))
        self.checking = False
        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.addStretch(1)
        outer.addWidget(self._build_card(settings))
        outer.addStretch(1)
        self.resize(620, 520)

        self.submit.clicked.connect(self.check)
        self.address.returnPressed.connect(self.check)
        self.ca_bundle.returnPressed.connect(self.check)
        self.choose_ca.clicked.connect(self._choose_ca_bundle)
        self.address.setFocus()

    def _build_card(self, settings: Settings) -> QWidget:
        box = card()
        box.setFixedWidth(440)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(8)
        logo = QLabel()
        logo.setPixmap(resources.early_pixmap("app", 48, self.devicePixelRatioF()))
        title = QLabel(self.tr("Connect to your pharmacy"))
        title.setObjectName("AppTitle")
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(
            muted(
                self.tr(
                    "Enter the address of your pharmacy's server, as the pharmacy gave it "
                    "to you. It is checked before it is saved."
                )
            )
        )
        layout.addSpacing(8)
        layout.addWidget(QLabel(self.tr("Pharmacy server address")))
        self.address = QLineEdit(settings.server_url or "")
        self.address.setPlaceholderText("https://pharmacy.example.org")
        self.address.setAccessibleName(self.tr("Pharmacy server address"))
        layout.addWidget(self.address)
        layout.addWidget(QLabel(self.tr("Pharmacy CA certificate (optional)")))
        self.ca_bundle = QLineEdit(settings.ca_bundle or "")
        self.ca_bundle.setPlaceholderText(
            self.tr("Only if the pharmacy gave you a certificate file")
        )
        self.ca_bundle.setAccessibleName(self.tr("Pharmacy CA certificate file"))
        self.choose_ca = QPushButton(self.tr("Choose…"))
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.choose_ca)
        layout.addLayout(ca_row)
        self.error_banner = Banner()
        layout.addWidget(self.error_banner)
        self.submit = QPushButton(self.tr("Check and continue"))
        self.submit.setObjectName("Primary")
        self.submit.setMinimumHeight(36)
        self.submit.setDefault(True)
        layout.addSpacing(6)
        layout.addWidget(self.submit)
        self.progress = muted("", hint=True)
        self.progress.hide()
        layout.addWidget(self.progress)
        return box

    def center_on_screen(self) -> None:
        area = self.screen().availableGeometry()
        frame = self.frameGeometry()
        frame.moveCenter(area.center())
        self.move(max(area.left(), frame.left()), max(area.top(), frame.top()))

    def _choose_ca_bundle(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Pharmacy CA certificate"),
            "",
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_bundle.setText(path)

    def _set_busy(self, busy: bool, url: str = "") -> None:
        self.checking = busy
        for widget in (self.address, self.ca_bundle, self.choose_ca, self.submit):
            widget.setEnabled(not busy)
        self.submit.setText(self.tr("Checking…") if busy else self.tr("Check and continue"))
        self.progress.setText(self.tr("Contacting {url}…").format(url=url) if busy else "")
        self.progress.setVisible(busy)

    def check(self) -> None:
        """Check the address typed; on success emit ``confirmed``, else say what is wrong."""
        if self.checking:
            return
        try:
            url = normalize_server_url(self.address.text())
        except ValueError as error:
            self.error_banner.show_message(str(error), "error")
            self.address.setFocus()
            return
        ca_bundle = self.ca_bundle.text().strip() or None
        self.error_banner.clear()
        self._set_busy(True, url)

        def work() -> tuple[str, str | None]:
            from portal_client.core.server_check import check_server

            check_server(url, ca_bundle=ca_bundle)
            return url, ca_bundle

        (
            Op(self, work)
            .success(lambda answer: self.confirmed.emit(*answer))
            .failure(self._failed)
            .finally_(lambda: self._set_busy(False))
            .run()
        )

    def _failed(self, error: Exception) -> None:
        self.error_banner.show_message(str(error), "error")
        self.address.setFocus()
