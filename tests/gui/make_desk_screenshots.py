"""Screenshots of the pharmacist's desk into docs/screenshots/ (offscreen, real server):
the queue searched by a patient's name with the order's signature verified, and an order
whose content no longer matches its hash, Approve disabled.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_desk_screenshots
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.templates import load_template_catalog
from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.gui.app import create_application
from portal_client.gui.pharmacist_window import PharmacistWindow
from tests.gui.make_account_screenshots import check_as_published, save, wait_until
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server


def _submit(client: ApiClient, given: str, family: str) -> str:
    template = next(t for t in load_template_catalog().latest() if t.id == "myers-infusion")
    state = ComposerState()
    state.select_template(template)
    state.given_name, state.family_name, state.birth_date = given, family, "1971-06-14"
    state.allergies = "latex"
    state.labs = [
        LabEntry("g6pd", "2026-11-20", interpretation="normal"),
        LabEntry("creatinine", "2026-11-25", "0.9", "mg/dL", "normal"),
    ]
    evaluation = state.check().evaluation
    assert evaluation is not None
    for finding in evaluation.findings:
        if finding.severity == "warn":
            state.acknowledgements[(finding.code, finding.field)] = (
                "Latex-free set confirmed with the clinic"
            )
    body = state.signable_body()
    grant = client.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    created = client.submit_prescription(
        {**body, "signing_token": grant.signing_token}, str(uuid.uuid4())
    )
    return str(created.id)


def main() -> int:
    create_application(sys.argv)
    check_as_published()
    base = Path(tempfile.mkdtemp(prefix="portal-shots-"))
    paths.set_base_dir(base / "client")
    with start_live_server(base / "server") as server:
        prescriber = ApiClient(server.url)
        prescriber.login("prescriber1", DEMO_PASSWORD)
        for given, family in (("Elena", "García López"), ("Gus", "Brandt"), ("Ivan", "Petrov")):
            _submit(prescriber, given, family)
        desk = ApiClient(server.url)
        desk.login("pharmacist1", DEMO_PASSWORD)
        window = PharmacistWindow(desk, desk.user, status_filter="all")  # type: ignore[arg-type]
        window.resize(1400, 900)
        window.show()
        wait_until(lambda: window.queue_model.rowCount() >= 3)
        window.search_box.setText("garc")
        window.search_now()
        wait_until(lambda: window.queue_model.rowCount() == 1 and not window._refreshing)
        first = window.queue_model.state.rows[0].id
        window.browser.select(first)
        wait_until(window.approve_button.isEnabled)
        save(window, "pharmacist-search-verified.png")

        item = desk.get_prescription(first)
        changed = dataclasses.replace(
            item, patient={**item.patient, "weight_kg": 95.0}, updated_at=item.updated_at + "x"
        )
        window.browser.show_items([changed], 1)
        window.browser.select(changed.id)
        wait_until(lambda: not window.approve_button.isEnabled())
        save(window, "pharmacist-signature-failed.png")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
