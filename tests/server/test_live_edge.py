"""The server process at its edge, over real HTTP: whose X-Forwarded-For it believes,
what its access log records, and where demo mode listens. Server processes: slow."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pharmacy_server.config import sqlite_url_for
from tests.helpers.live_server import (
    DEMO_PASSWORD,
    LiveServer,
    LiveServerError,
    start_live_server,
)

pytestmark = pytest.mark.slow

FAILURE_LIMIT = 3
FORGED = [f"203.0.113.{n}" for n in range(1, FAILURE_LIMIT + 2)]
QUERY_CANARY = "zzquerycanary5521"


def _throttled_server(trusted: str = "") -> dict[str, str]:
    return {
        "PHARMACY_ADDRESS_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "PHARMACY_TRUSTED_PROXIES": trusted,
    }


def _admin_token(http: httpx.Client) -> str:
    answer = http.post("/api/v1/auth/login", json={"username": "admin1", "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _failed_login(http: httpx.Client, forwarded_for: str) -> int:
    answer = http.post(
        "/api/v1/auth/login",
        json={"username": "prescriber1", "password": "not-the-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return answer.status_code


def _login_failure_addresses(http: httpx.Client, token: str) -> list[str | None]:
    trail = http.get(
        "/api/v1/admin/audit",
        params={"action": "auth.login", "limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert trail.status_code == 200, trail.text
    return [row["client_address"] for row in trail.json()["items"] if row["outcome"] == "failure"]


def _client(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    env = _throttled_server()
    with start_live_server(tmp_path / "server", extra_env=env) as server, _client(server) as http:
        token = _admin_token(http)  # before the failures use up the loopback address
        statuses = [_failed_login(http, address) for address in FORGED]
        addresses = _login_failure_addresses(http, token)
    # Every forged address was the same real peer: throttled after the limit.
    assert statuses == [401] * FAILURE_LIMIT + [429]
    assert addresses == ["127.0.0.1"] * FAILURE_LIMIT


def test_forwarded_for_from_a_trusted_proxy_is_the_client(tmp_path: Path) -> None:
    env = _throttled_server(trusted="10.9.0.0/16, 127.0.0.0/8")
    with start_live_server(tmp_path / "server", extra_env=env) as server, _client(server) as http:
        token = _admin_token(http)
        distinct = [_failed_login(http, address) for address in FORGED]
        # The proxy appends the peer it saw: the right-most untrusted entry is the client.
        repeated = [_failed_login(http, f"198.51.100.9, {FORGED[0]}") for _ in FORGED[1:]]
        addresses = _login_failure_addresses(http, token)
    assert distinct == [401] * len(FORGED)  # each address has failed once
    assert repeated == [401] * (FAILURE_LIMIT - 1) + [429] * (len(FORGED) - FAILURE_LIMIT)
    assert set(addresses) == set(FORGED)
    assert addresses.count(FORGED[0]) == FAILURE_LIMIT
    assert "127.0.0.1" not in addresses


def test_a_bad_trusted_proxy_setting_stops_the_server(tmp_path: Path) -> None:
    env = {"PHARMACY_TRUSTED_PROXIES": "10.0.0.0/8, *"}
    refused = pytest.raises(LiveServerError, match=r"'\*' is not an IP address or CIDR network")
    with refused, start_live_server(tmp_path / "server", extra_env=env):
        pass


def test_the_access_log_has_no_query_strings(tmp_path: Path) -> None:
    with start_live_server(tmp_path / "server") as server, _client(server) as http:
        login = http.post(
            "/api/v1/auth/login", json={"username": "prescriber1", "password": DEMO_PASSWORD}
        )
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        listed = http.get(
            "/api/v1/prescriptions",
            params={"status": "submitted", "idempotency_key": QUERY_CANARY},
            headers=auth,
        )
        assert listed.status_code == 200
        assert http.get("/healthz", params={"probe": QUERY_CANARY}).status_code == 200
    log = server.log_text()  # the server has stopped: every line is written
    assert QUERY_CANARY not in log
    assert "pharmacy_server.access: GET /api/v1/prescriptions 200 " in log
    assert "pharmacy_server.access: POST /api/v1/auth/login 200 " in log
    assert "pharmacy_server.access: GET /healthz 200 " in log
    assert "uvicorn.access" not in log and "HTTP/1.1" not in log


def _bound_url(server: LiveServer) -> str:
    ready = next(server.data_dir.glob("ready-*.json"))
    return str(json.loads(ready.read_text())["url"])


def test_demo_mode_listens_on_loopback_whatever_the_host(tmp_path: Path) -> None:
    url = sqlite_url_for(tmp_path / "seeded.sqlite3")
    with start_live_server(tmp_path / "seeded", database_url=url, host="0.0.0.0") as seeded:
        assert _bound_url(seeded).startswith("http://127.0.0.1:")
        assert httpx.get(f"{seeded.url}/healthz").status_code == 200
    assert "demo mode serves on 127.0.0.1 only (asked for 0.0.0.0)" in seeded.log_text()

    url = sqlite_url_for(tmp_path / "flagged.sqlite3")
    with start_live_server(
        tmp_path / "flagged",
        database_url=url,
        demo=False,
        extra_env={"PHARMACY_DEMO_MODE": "1"},
        host="::",
    ) as flagged:
        assert _bound_url(flagged).startswith("http://127.0.0.1:")
    assert "demo mode serves on 127.0.0.1 only (asked for ::)" in flagged.log_text()
