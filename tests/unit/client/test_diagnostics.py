"""Copy diagnostics: versions, settings, proxies and the log tail, never a secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import pharmacy_server
from portal_client import __version__
from portal_client.core import logs, paths
from portal_client.core.api_client import ApiClient
from portal_client.core.diagnostics import gather_diagnostics, proxy_lines
from portal_client.core.request_ids import recent_request_ids
from portal_client.core.settings import Settings
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    paths.set_base_dir(tmp_path / "profile")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    yield tmp_path / "profile"
    logs.stop_file_log()
    root.setLevel(level)
    paths.set_base_dir(None)


def test_the_report_has_versions_settings_and_the_log_but_no_secret(
    server: LiveServer, profile: Path
) -> None:
    logs.start_file_log()
    for number in range(250):
        logging.getLogger("portal_client.test").info("log line %03d", number)
    client = ApiClient(server.url)
    client.login("prescriber1", DEMO_PASSWORD)
    token = client._token
    assert token
    settings = Settings(server_url=server.url, ca_bundle="/etc/pharmacy/ca.pem")
    try:
        text = gather_diagnostics(settings, qt_versions="Qt 6.x", health=client.health)
        sent = recent_request_ids()  # the sign-in's and the health check's
    finally:
        client.logout()
    assert f"Client: portal-client {__version__}" in text
    assert "Qt: Qt 6.x" in text and "Python: " in text and "Operating system: " in text
    assert f"pharmacy-server {pharmacy_server.__version__} (API version 1)" in text
    assert '"ca_bundle": "/etc/pharmacy/ca.pem"' in text
    assert "log line 249" in text and "log line 050" in text
    assert "log line 049" not in text  # the last 200 lines only
    assert token not in text and DEMO_PASSWORD not in text
    assert sent and all(request_id in text for request_id in sent)  # the server logs these


def test_a_server_that_does_not_answer_is_said(closed_url: str, profile: Path) -> None:
    client = ApiClient(closed_url)
    text = gather_diagnostics(
        Settings(server_url=closed_url), qt_versions="Qt", health=client.health
    )
    client.close()
    assert f"Pharmacy server: {closed_url}: no answer (Cannot reach" in text
    assert "Last 200 log lines:" in text


def test_proxies_are_named_without_their_credentials() -> None:
    environment = {
        "HTTPS_PROXY": "http://alice:s3cret@proxy.clinic.example:3128",
        "no_proxy": "localhost,.clinic.example",
    }
    assert proxy_lines(environment) == [
        "HTTPS_PROXY=http://…@proxy.clinic.example:3128",
        "NO_PROXY=localhost,.clinic.example",
    ]
    assert proxy_lines({}) == ["none set"]


@pytest.fixture
def closed_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"
