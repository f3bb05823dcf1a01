"""Screenshots of an order's message thread in the pharmacist's and the prescriber's
windows into docs/screenshots/ (offscreen, real server).

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_message_screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from pharmacy_domain.templates import load_template_catalog
from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.gui.app import create_application
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.make_account_screenshots import check_as_published, save, wait_until
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server


def _signed_in(url: str, username: str) -> ApiClient:
    client = ApiClient(url)
    client.login(username, DEMO_PASSWORD)
    return client


def _say(client: ApiClient, prescription_id: str, text: str) -> None:
    client.post_message(prescription_id, text, str(uuid.uuid4()))


def main() -> int:
    create_application(sys.argv)
    check_as_published()
    base = Path(tempfile.mkdtemp(prefix="portal-messages-"))
    paths.set_base_dir(base / "client")
    templates = load_template_catalog().latest()
    with start_live_server(base / "server") as server:
        prescriber = _signed_in(server.url, "prescriber1")
        pharmacist = _signed_in(server.url, "pharmacist1")
        asked = submit_one(prescriber, templates, "Okafor").id
        other = submit_one(prescriber, templates, "Lindqvist").id
        third = submit_one(prescriber, templates, "Haddad").id
        _say(pharmacist, asked, "Is 2 g of magnesium intended? The last order had 1 g.")
        _say(prescriber, asked, "Yes: her levels were low last week.\nPlease go ahead.")
        _say(pharmacist, asked, "Thank you, approving now.")
        _say(pharmacist, other, "We are out of the 250 mL bags: may we use 500 mL?")
        _say(prescriber, third, "Could this one ship by Friday?")

        desk = PharmacistWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
        desk.resize(1280, 800)
        desk.show()
        wait_until(lambda: desk.queue_model.row_for(asked) is not None)
        wait_until(lambda: desk.messages.total == 1)
        desk.browser.select(asked)
        wait_until(
            lambda: desk.messages.current is not None and bool(desk.messages.current.messages)
        )
        desk.messages.panel.box.setPlainText("Labelled and on its way this afternoon.")
        save(desk, "messages-pharmacist.png")
        desk.close()

        window = PrescriberWindow(prescriber, prescriber.user)  # type: ignore[arg-type]
        window.resize(1280, 800)
        window.show()
        wait_until(lambda: window.browser.model.row_for(asked) is not None)
        wait_until(lambda: window.messages.total == 2)
        window.browser.select(asked)
        wait_until(lambda: window.messages.total == 1)
        save(window, "messages-prescriber.png")
        window.close()
        pharmacist.logout()
        prescriber.logout()
    return 0


if __name__ == "__main__":
    sys.exit(main())
