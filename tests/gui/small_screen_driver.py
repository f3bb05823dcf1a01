"""The real client on a small, scaled screen: sign in, report the main window's geometry.

Run by test_high_dpi.py as a subprocess (``python -m tests.gui.small_screen_driver URL
BASEDIR``) with the offscreen platform given a 1440x900 screen and ``QT_SCALE_FACTOR=2``,
so the screen is 720x450 logical pixels at a device pixel ratio of 2. The settings
remember a 1400x880 window (from a larger monitor). Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QApplication

from portal_client.core import paths
from portal_client.core.settings import Settings, WindowPrefs
from portal_client.gui import app as client_app
from portal_client.gui import ops, resources
from tests.helpers.live_server import DEMO_PASSWORD

POLL_MS = 20
STUCK_AFTER_MS = 60_000


def main(url: str, base: str) -> int:
    paths.set_base_dir(Path(base))
    application = client_app.create_application(sys.argv[:1])
    settings = Settings(server_url=url, window=WindowPrefs(width=1400, height=880))
    portal = client_app.PortalApp(settings, save_settings=False)
    portal.start()
    portal.sign_in.username.setText("prescriber1")
    portal.sign_in.password.setText(DEMO_PASSWORD)
    QTimer.singleShot(0, portal.sign_in.submit.click)

    def look() -> None:
        window = portal.main_window
        if window is None or not window.isVisible():
            QTimer.singleShot(POLL_MS, look)
            return
        area = window.screen().availableGeometry()
        frame = window.frameGeometry()
        report = {
            "available": [area.x(), area.y(), area.width(), area.height()],
            "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
            "device_pixel_ratio": window.devicePixelRatio(),
            # An SVG icon asked for at 16 logical pixels, drawn for this screen.
            "icon_pixels": resources.icon("refresh")
            .pixmap(QSize(16, 16), window.devicePixelRatio())
            .width(),
        }
        print(json.dumps(report), flush=True)
        portal.sign_out()
        QTimer.singleShot(POLL_MS, application.quit)

    QTimer.singleShot(POLL_MS, look)
    QTimer.singleShot(STUCK_AFTER_MS, lambda: QApplication.exit(3))
    code = application.exec()
    portal.shutdown()
    ops.shutdown(wait=True)
    client_app.release_qt_objects()
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
