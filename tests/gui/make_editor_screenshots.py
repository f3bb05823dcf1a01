"""Screenshots of the Templates tab into docs/screenshots/ (offscreen, real demo server).

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_editor_screenshots
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from pharmacy_domain.resources import load_json
from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.gui.app import create_application
from portal_client.gui.main_window import PortalMainWindow
from tests.gui.make_account_screenshots import save, wait_until
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server

TEMPLATE = "myers-infusion"


def main() -> int:
    create_application(sys.argv)
    base = Path(tempfile.mkdtemp(prefix="portal-shots-"))
    paths.set_base_dir(base / "client")
    with start_live_server(base / "server") as server:
        # An admin drafts a lower magnesium limit; the pharmacist sees it to publish.
        admin = ApiClient(server.url)
        admin.login("admin1", DEMO_PASSWORD)
        content = load_json("templates", f"{TEMPLATE}.json")
        for row in content["ingredients"]:
            if row["code"] == "magnesium-chloride-20":
                row["max_amount"] = 8
        admin.draft_catalog_version(
            "template", TEMPLATE, content, "Lower the magnesium entry limit to 8 mL (P&T, Nov)"
        )
        pharmacist = ApiClient(server.url)
        pharmacist.login("pharmacist1", DEMO_PASSWORD)
        owner = PortalMainWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
        owner.open_administration("templates")
        window = owner._admin_window
        assert window is not None
        window.resize(1180, 720)
        editor = window.tabs.templates
        wait_until(lambda: bool(editor.entities))
        editor.select_entity(TEMPLATE)
        wait_until(lambda: editor.shown is not None and editor.shown.version.entity_id == TEMPLATE)
        editor.table.selectRow(0)
        wait_until(lambda: editor.shown is not None and editor.shown.version.version == 2)
        save(window, "catalog-editor.png")

        # A new version with a typing slip: the server's refusal, by field and line.
        editor.new_button.click()
        typed = json.loads(editor.editor.toPlainText())
        typed["ingredients"][1]["max_amount"] = "12 mL"
        editor.editor.setPlainText(json.dumps(typed, indent=2, ensure_ascii=False))
        editor.reason.setText("Calcium: allow 12 mL")
        editor.save_button.click()
        wait_until(lambda: bool(editor.problems))
        save(window, "catalog-editor-refused.png")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
