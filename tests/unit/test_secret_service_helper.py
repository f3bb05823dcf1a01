"""The private Secret Service helper says what to install, and never passes unseen."""

from __future__ import annotations

import sys

import pytest

from tests.helpers import secret_service


def test_the_missing_daemons_message_says_what_to_install() -> None:
    message = secret_service.missing_message(["gnome-keyring-daemon"], debian=True)
    assert "gnome-keyring-daemon" in message
    assert "`apt-get install gnome-keyring dbus`" in message
    assert "\n" not in message  # one line at the top of the run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is Linux's")
def test_missing_daemons_fail_the_test_rather_than_skip_it(
    monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> None:
    monkeypatch.setattr(secret_service, "missing_binaries", lambda: ["dbus-daemon"])
    with pytest.raises(pytest.fail.Exception, match="install them with"):
        secret_service.require_binaries()
    header = secret_service.pytest_report_header(pytestconfig)
    assert header is not None and header.startswith("secret service: dbus-daemon not found")
