"""Help → Copy diagnostics, as a ``QAction`` any window can put in a menu.

The report is gathered on a worker thread (it asks the server for its version and
reads the log), then put on the clipboard on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, qVersion
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.settings import Settings


def qt_versions() -> str:
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform {_platform_name()}"


def _platform_name() -> str:
    return QGuiApplication.platformName() or "unknown"


def copy_diagnostics_action(
    parent: QObject,
    settings: Callable[[], Settings],
    client: Callable[[], ApiClient | None],
    *,
    copied: Callable[[str], object] | None = None,
) -> QAction:
    """ "Copy diagnostics": ``client`` is asked at each use (the client in use, or
    ``None`` before sign-in), ``settings`` too, on the worker thread; ``copied`` hears
    the text once it is on the clipboard."""
    action = QAction(QCoreApplication.translate("DiagnosticsAction", "Copy diagnostics"), parent)
    action.setToolTip(
        QCoreApplication.translate(
            "DiagnosticsAction", "Copy versions, settings and the recent log for support"
        )
    )

    def trigger() -> None:
        current_client, versions = client(), qt_versions()

        def gather() -> str:
            from portal_client.core.api_client import ApiClient
            from portal_client.core.diagnostics import gather_diagnostics

            current_settings = settings()  # may read the settings file: here, off the GUI

            url = current_client.base_url if current_client else current_settings.server_url
            asker = current_client
            if asker is None and url:
                asker = ApiClient(url, ca_bundle=current_settings.ca_bundle)
            try:
                return gather_diagnostics(
                    current_settings,
                    qt_versions=versions,
                    health=asker.health if asker is not None else None,
                    server_url=url,
                )
            finally:
                if asker is not None and asker is not current_client:
                    asker.close()

        def done(text: str) -> None:
            clipboard = QGuiApplication.clipboard()
            clipboard.setText(text)
            if copied is not None:
                copied(text)

        Op(parent, gather).success(done).run()

    action.triggered.connect(lambda _checked=False: trigger())
    return action


def diagnostics_link(
    parent: QWidget,
    settings: Callable[[], Settings],
    *,
    copied: Callable[[str], object] | None = None,
) -> QPushButton:
    """A "Copy diagnostics" link button for a window without a menu bar (sign-in)."""
    action = copy_diagnostics_action(parent, settings, lambda: None, copied=copied)
    button = QPushButton(action.text(), parent)
    button.setObjectName("Link")
    button.setToolTip(action.toolTip())
    button.clicked.connect(action.trigger)
    return button
