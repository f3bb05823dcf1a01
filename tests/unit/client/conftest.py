"""Fixtures for the client core tests: one real pharmacy server per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.live_server import LiveServer, start_live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo server shared by one test module (starting one takes a second or two)."""
    with start_live_server(tmp_path_factory.mktemp("server")) as live:
        yield live
