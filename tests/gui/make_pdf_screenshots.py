"""Screenshots of the PDF copy into docs/screenshots/ (offscreen, real demo server): the
pharmacist's detail pane with "Save as PDF…" and "Print…", and the copy's first page.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_pdf_screenshots

The page is rasterised by ``pdftoppm`` (Debian's poppler-utils), which only this script needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from pharmacy_domain.templates import load_template_catalog
from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.gui.app import create_application
from portal_client.gui.pharmacist_window import PharmacistWindow
from tests.gui.make_account_screenshots import OUT, check_as_published, wait_until
from tests.gui.make_menu_screenshots import window_with_menu_open
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server


def main() -> int:
    create_application(sys.argv)
    check_as_published()
    base = Path(tempfile.mkdtemp(prefix="portal-pdf-"))
    paths.set_base_dir(base / "client")
    with start_live_server(base / "server") as server:
        prescriber = ApiClient(server.url)
        prescriber.login("prescriber1", DEMO_PASSWORD)
        created = submit_one(prescriber, load_template_catalog().latest(), "Lovelace")
        client = ApiClient(server.url)
        client.login("pharmacist1", DEMO_PASSWORD)
        window = PharmacistWindow(client, client.user)  # type: ignore[arg-type]
        window.resize(1280, 800)
        window.show()
        wait_until(lambda: window.browser.model.row_for(created.id) is not None)
        wait_until(lambda: bool(window.browser.names))
        window.browser.select(created.id)
        window_with_menu_open(window, window.menus.prescription_menu, "pdf-copy-menu.png")
        target = base / "copy.pdf"
        window.pdf_copy.choose_path = lambda _parent, _name: target
        window.pdf_copy.save_current()
        wait_until(lambda: "Saved a copy" in window.banner.label.text())
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is not None:
            stem = base / "page"
            subprocess.run(
                [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", target, stem],
                check=True,
            )
            shutil.copyfile(f"{stem}.png", OUT / "pdf-copy-page.png")
            print("wrote", OUT / "pdf-copy-page.png")
        else:
            print("pdftoppm not found (apt-get install poppler-utils): no page image")
        client.logout()
        prescriber.logout()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
