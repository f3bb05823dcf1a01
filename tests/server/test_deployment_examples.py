"""The deployment examples in packaging/server agree with each other and with the server:
the proxy the servers trust is the one that forwards, the settings they name exist, and
the systemd unit keeps its hardening."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pharmacy_server.cli import DEFAULT_PORT
from pharmacy_server.config import ServerSettings
from pharmacy_server.patients.router import DOCUMENT_BODY_BYTES

EXAMPLES = Path(__file__).resolve().parents[2] / "packaging" / "server"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((EXAMPLES / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _settings_named(text: str) -> set[str]:
    return set(re.findall(r"\bPHARMACY_([A-Z_]+)\b", text))


def test_compose_runs_postgres_two_servers_and_nginx_which_they_trust() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"postgres", "migrate", "server-a", "server-b", "nginx"} <= set(services)
    nginx_address = services["nginx"]["networks"]["internal"]["ipv4_address"]
    for name in ("server-a", "server-b"):
        server = services[name]
        assert server["environment"]["PHARMACY_TRUSTED_PROXIES"] == nginx_address
        assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "ports" not in server  # reachable through nginx only
    upstreams = re.findall(
        r"server (server-[ab]):(\d+)", (EXAMPLES / "nginx-compose.conf").read_text("utf-8")
    )
    assert upstreams == [("server-a", str(DEFAULT_PORT)), ("server-b", str(DEFAULT_PORT))]


def test_every_setting_the_examples_name_exists() -> None:
    known = {name.upper() for name in ServerSettings.model_fields}
    for example in ("compose.yaml", "pharmacy-server.env.example", "pharmacy-server@.service"):
        named = _settings_named((EXAMPLES / example).read_text(encoding="utf-8"))
        assert named <= known, (example, named - known)


def test_nginx_forwards_to_the_ports_the_unit_serves_and_replaces_forwarded_for() -> None:
    config = (EXAMPLES / "nginx-pharmacy.conf").read_text(encoding="utf-8")
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", config) == ["8471", "8472"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "non_idempotent" not in config.replace("`non_idempotent`", "")
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    environment = (EXAMPLES / "pharmacy-server.env.example").read_text(encoding="utf-8")
    assert "PHARMACY_TRUSTED_PROXIES=127.0.0.1\n" in environment  # nginx on the same host


def test_the_systemd_unit_is_hardened_and_reads_its_secrets_from_a_file() -> None:
    unit = (EXAMPLES / "pharmacy-server@.service").read_text(encoding="utf-8")
    options = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[:1].isupper()
    )
    assert options["User"] == "pharmacy-server"
    assert options["EnvironmentFile"] == "/etc/pharmacy-server/pharmacy-server.env"
    assert options["StateDirectory"] == "pharmacy-server"
    assert options["StateDirectoryMode"] == "0700"
    for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert options[hardening] == "yes"
    assert options["ProtectSystem"] == "strict"
    assert "--port %i" in options["ExecStart"] and "--host 127.0.0.1" in options["ExecStart"]


def test_nginx_lets_a_patient_document_through_to_the_server() -> None:
    # Found by following the deployment section: at 1m, a 2 MB lab report got nginx's HTML
    # 413 and never reached the server.
    units = {"k": 1024, "m": 1024 * 1024}
    for name in ("nginx-pharmacy.conf", "nginx-compose.conf"):
        config = (EXAMPLES / name).read_text(encoding="utf-8")
        found = re.findall(r"client_max_body_size (\d+)([km]);", config)
        assert len(found) == 1, name
        size, unit = found[0]
        assert int(size) * units[unit] > DOCUMENT_BODY_BYTES, name
