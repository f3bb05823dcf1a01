"""Fixtures for the Qt tests (offscreen): the app look, a shared real server, settled threads,
garbage collected on the GUI thread."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client import APP_ID
from portal_client.core.api_client import ApiClient
from portal_client.gui import ops, resources
from portal_client.gui.app import APPLICATION_POINT_SIZE, create_application
from portal_client.gui.collector import collect_due
from tests.helpers.gui_threads import (  # noqa: F401 - autouse fixtures
    _gui_thread_collection,
    _qt_released_before_exit,
)
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server


@pytest.fixture(autouse=True)
def _styled_app(qapp: QApplication) -> None:
    """Tests see the real style sheet and fonts, as users do. Set again only when a test
    changed them: setting the style re-polishes every widget alive, seconds per test late
    in a run."""
    styled = (
        qapp.styleSheet() == resources.stylesheet()
        and qapp.font().pointSize() == APPLICATION_POINT_SIZE
        and qapp.applicationName() == APP_ID
    )
    if not styled:
        create_application([])


@pytest.fixture(autouse=True)
def _operations_settle(qtbot: QtBot) -> Iterator[None]:
    """No background operation may outlive its test."""
    yield
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=30_000)
    collect_due()  # the test's garbage goes here, on the GUI thread


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("server")) as live:
        yield live


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture(scope="session")
def templates() -> list[Template]:
    return load_template_catalog().latest()


def sign_in(server: LiveServer, username: str) -> ApiClient:
    client = ApiClient(server.url)
    client.login(username, DEMO_PASSWORD)
    return client
