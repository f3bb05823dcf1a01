"""Screenshots of the account screens into docs/screenshots/ (offscreen, real demo server).

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_account_screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtWidgets import QApplication, QWidget

from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.core.settings import Settings
from portal_client.gui import ops
from portal_client.gui.account_request_dialog import AccountRequestDialog
from portal_client.gui.activation_dialog import ActivationDialog
from portal_client.gui.app import create_application
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_in import SignInWindow
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server
from tests.helpers.totp_accounts import (
    STRONG_PASSWORD,
    approve,
    enrolled_account,
    request_account,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def check_as_published() -> None:
    """The composer's checks with the shipped formulary and rules, as the test suite's
    conftest sets them (a real client fetches them from the server it signs in to)."""
    from pharmacy_domain.formulary import load_formulary
    from pharmacy_domain.rules import load_rules
    from portal_client.core import reference_data

    reference_data.set_active(reference_data.ReferenceData(load_formulary(), load_rules()))


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not settle")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, name: str) -> None:
    wait_until(lambda: ops.in_flight() == 0)
    widget.grab().save(str(OUT / name))
    print("wrote", OUT / name)


def client_factory(url: str) -> ApiClient:
    return ApiClient(url)


def main() -> int:
    create_application(sys.argv)
    base = Path(tempfile.mkdtemp(prefix="portal-shots-"))
    paths.set_base_dir(base / "client")
    with start_live_server(base / "server") as server:
        # 1. sign-in, code step
        account = enrolled_account(server, display_name="Dr Ana Ortiz", username="aortiz")
        sign_in = SignInWindow(Settings(server_url=server.url))
        sign_in.resize(560, 640)
        sign_in.show()
        sign_in.username.setText(account.username)
        sign_in.password.setText(account.password)
        sign_in.submit.click()
        wait_until(lambda: sign_in.on_code_step)
        save(sign_in, "sign-in-totp.png")

        # 2. request an account, with the NPI check digit caught
        request = AccountRequestDialog(server.url, client_factory)
        request.show()
        request.display_name.edit.setText("Dr Jordan Alvarez")
        request.username.edit.setText("jalvarez")
        request.email.edit.setText("j.alvarez@lakeside.example")
        request.clinic.edit.setText("Lakeside Wellness Clinic")
        request.npi.edit.setText("1234567890")
        request.npi.edit.editingFinished.emit()
        request.licence_number.edit.setText("MD-20931")
        request.licence_state.setCurrentText("OR")
        request.dea.edit.setText("BA1234563")
        request.dea.edit.editingFinished.emit()
        request.adjustSize()
        save(request, "request-account.png")
        request.close()

        # 3. activation with the QR code
        pending = request_account(server, display_name="Dr Priya Raman", username="praman")
        code = approve(server, pending.username)
        activation = ActivationDialog(server.url, client_factory, username=pending.username)
        activation.show()
        activation.code.setText(code)
        activation.password_fields.new.setText(STRONG_PASSWORD)
        activation.password_fields.confirm.setText(STRONG_PASSWORD)
        activation.next_button.click()
        wait_until(lambda: activation.on_enrollment)
        activation.adjustSize()
        save(activation, "activation-qr.png")
        activation.close()

        # 4. the lock screen over an open prescription
        prescriber = ApiClient(server.url)
        prescriber.login("prescriber1", DEMO_PASSWORD)
        window = PrescriberWindow(prescriber, prescriber.user)  # type: ignore[arg-type]
        window.resize(1200, 760)
        window.show()
        window.show_composer()
        window.composer.family_name.setText("Canary")
        wait_until(lambda: ops.in_flight() == 0)
        window.lock()
        save(window, "lock-screen.png")
        window.close()

        # 5. approvals, 6. the users and 7. the audit trail
        for name, username in (("Dr Samuel Okafor", "sokafor"), ("Dr Lena Fischer", "lfischer")):
            request_account(server, display_name=name, username=username)
        admin = ApiClient(server.url)
        admin.login("admin1", DEMO_PASSWORD)
        owner = PortalMainWindow(admin, admin.user)  # type: ignore[arg-type]
        owner.open_administration("requests")
        administration = owner._admin_window
        assert administration is not None
        administration.resize(1180, 560)
        approvals = administration.approvals
        wait_until(lambda: len(approvals.requests) >= 2)
        approvals.table.selectRow(0)
        save(administration, "approvals.png")
        administration.show_tab("users")
        users = administration.users
        assert users is not None
        wait_until(lambda: len(users.users) >= 4)
        users.select("prescriber2")
        save(administration, "users.png")
        administration.show_tab("audit")
        audit = administration.audit
        assert audit is not None
        wait_until(lambda: audit.table.rowCount() > 0)
        save(administration, "audit.png")
        administration.close()
        admin.logout()
        prescriber.logout()
        sign_in.close()
        owner.deleteLater()
        wait_until(lambda: ops.in_flight() == 0)
    ops.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
