"""The first run asks for the pharmacy's server and checks it before saving it; a demo's
address is never saved as the user's server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from portal_client.core import logs, paths
from portal_client.core.settings import Settings, load_settings, settings_path
from portal_client.gui import ops
from portal_client.gui.app import PortalApp
from tests.helpers.live_server import LiveServer
from tests.helpers.tls import make_private_ca, tls_front

TIMEOUT_MS = 20_000


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    paths.set_base_dir(tmp_path / "profile")
    yield tmp_path / "profile"
    logs.stop_file_log()  # a demo's start opened it
    paths.set_base_dir(None)


def _settled(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)


def test_no_server_asks_checks_and_saves_only_a_pharmacy_server(
    qtbot: QtBot, server: LiveServer, closed_port_url: str, profile: Path
) -> None:
    portal = PortalApp(Settings(), save_settings=True)
    portal.start(on_first_paint=lambda: None)
    first_run = portal.first_run
    assert first_run is not None and first_run.isVisible()
    assert not portal.sign_in.isVisible()

    first_run.address.setText("ftp://pharmacy.example.org")
    first_run.submit.click()
    assert first_run.error_banner.isVisible() and not first_run.checking

    first_run.address.setText(closed_port_url)
    first_run.submit.click()
    assert first_run.checking and not first_run.address.isEnabled()  # in the background
    qtbot.waitUntil(lambda: not first_run.checking, timeout=TIMEOUT_MS)
    assert "Nothing answers" in first_run.error_banner.label.text()
    assert first_run.address.text() == closed_port_url  # nothing typed is lost
    assert portal.first_run is first_run and not settings_path().exists()

    first_run.address.setText(server.url)
    first_run.submit.click()
    qtbot.waitUntil(portal.sign_in.isVisible, timeout=TIMEOUT_MS)
    assert portal.first_run is None
    assert portal.sign_in.server_url == server.url
    qtbot.waitUntil(settings_path().exists, timeout=TIMEOUT_MS)
    _settled(qtbot)
    assert load_settings().server_url == server.url
    portal.shutdown()


def test_a_private_ca_is_refused_until_its_certificate_is_given(
    qtbot: QtBot, server: LiveServer, profile: Path, tmp_path: Path
) -> None:
    ca = make_private_ca(tmp_path / "ca")
    with tls_front(ca, server.url) as front:
        portal = PortalApp(Settings(), save_settings=True)
        portal.start(on_first_paint=lambda: None)
        first_run = portal.first_run
        assert first_run is not None
        first_run.address.setText(front.url)
        first_run.submit.click()
        qtbot.waitUntil(lambda: not first_run.checking, timeout=TIMEOUT_MS)
        assert "certificate could not be verified" in first_run.error_banner.label.text()
        assert first_run.address.text() == front.url

        first_run.ca_bundle.setText(str(ca.ca_file))
        first_run.submit.click()
        qtbot.waitUntil(portal.sign_in.isVisible, timeout=TIMEOUT_MS)
        _settled(qtbot)
        saved = load_settings()
        assert (saved.server_url, saved.ca_bundle) == (front.url, str(ca.ca_file))
        portal.shutdown()


def test_a_configured_server_goes_straight_to_sign_in(
    qtbot: QtBot, server: LiveServer, profile: Path
) -> None:
    portal = PortalApp(Settings(server_url=server.url), save_settings=False)
    portal.start(on_first_paint=lambda: None)
    assert portal.first_run is None and portal.sign_in.isVisible()
    portal.shutdown()


class _DemoStandIn:
    """The embedded demo server's interface, answering with a real server's address."""

    def __init__(self, url: str) -> None:
        self.url = url

    def start(self) -> str:
        return self.url

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("own_server", [None, "https://rx.example-pharmacy.com"])
def test_a_demo_never_saves_its_address_as_the_server(
    qtbot: QtBot, server: LiveServer, profile: Path, own_server: str | None
) -> None:
    portal = PortalApp(
        Settings(server_url=own_server),
        demo=True,
        save_settings=True,
        demo_server_factory=lambda: _DemoStandIn(server.url),  # type: ignore[arg-type,return-value]
    )
    portal.start()
    assert portal.first_run is None  # a demo needs no address
    qtbot.waitUntil(lambda: portal.sign_in.server_url == server.url, timeout=TIMEOUT_MS)
    portal.settings.review_status_filter = "all"  # something worth saving
    portal.save_settings()
    _settled(qtbot)
    portal.shutdown()
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert saved["server_url"] == own_server
    assert saved["review_status_filter"] == "all"
