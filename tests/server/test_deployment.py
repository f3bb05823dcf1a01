"""``pharmacy-server serve`` outside demo mode: what it refuses, and what it logs.

Every test runs real server processes with production hashing (the test-strength
hasher is refused outside demo mode before anything else is checked).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from pharmacy_server.config import sqlite_url_for
from pharmacy_server.private_files import ensure_private_folder
from tests.helpers.live_server import DEMO_DATABASE_NAME, LiveServer, start_live_server

pytestmark = pytest.mark.slow  # server processes

PRODUCTION = {"PHARMACY_TEST_CHEAP_HASHING": "0", "PHARMACY_DEMO_MODE": "0"}


def _serve(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.pop("PHARMACY_DATABASE_URL", None)
    environment.update(PRODUCTION)
    environment.update(env or {})
    url = sqlite_url_for(data_dir / DEMO_DATABASE_NAME)
    command = [sys.executable, "-m", "pharmacy_server", "serve", "--port", "0"]
    command += ["--database", url, "--state-dir", str(data_dir), *args]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def _assert_refused(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if '"level": "ERROR"' in line]
    assert len(errors) == 1, result.stderr  # one line saying what to do


@pytest.mark.parametrize("weak", ["changeme", "c2VjcmV0", "A" * 43 + "="])
def test_a_placeholder_or_weak_secret_key_is_refused(tmp_path: Path, weak: str) -> None:
    data_dir = tmp_path / "server"
    refused = _serve(data_dir, env={"PHARMACY_SECRET_KEY": weak})
    _assert_refused(refused, "PHARMACY_SECRET_KEY is not 32 random bytes")
    assert not data_dir.exists()  # refused before anything was written


def test_a_shared_database_without_a_secret_key_is_refused(tmp_path: Path) -> None:
    # Refused before the database is reached: no PostgreSQL is needed at this address.
    data_dir = tmp_path / "server"
    environment = dict(os.environ)
    environment.pop("PHARMACY_DATABASE_URL", None)
    environment.pop("PHARMACY_SECRET_KEY", None)
    environment.update(PRODUCTION)
    command = [sys.executable, "-m", "pharmacy_server", "serve", "--port", "0"]
    command += ["--database", "postgresql+psycopg://pharmacy@127.0.0.1:9/pharmacy"]
    command += ["--state-dir", str(data_dir)]
    refused = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    _assert_refused(refused, "no server secret key: on a shared database")
    assert "PHARMACY_SECRET_KEY in the settings of every server process" in refused.stderr
    assert not data_dir.exists()  # no key file made that other machines would lack


def test_a_weak_key_in_the_key_file_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    ensure_private_folder(data_dir, tighten=True)
    key_file = data_dir / "server-secret.key"
    key_file.write_text("changeme\n")
    os.chmod(key_file, 0o600)
    refused = _serve(data_dir)
    _assert_refused(refused, f"the key file {key_file} is not 32 random bytes")


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    ensure_private_folder(data_dir, tighten=True)
    key_file = data_dir / "server-secret.key"
    key_file.write_text("not read: the mode is refused first\n")
    os.chmod(key_file, 0o644)
    refused = _serve(data_dir)
    _assert_refused(refused, f"run `chmod 600 {key_file}`")


def test_an_address_off_loopback_without_tls_or_a_proxy_is_refused(tmp_path: Path) -> None:
    refused = _serve(tmp_path / "server", "--host", "0.0.0.0")
    _assert_refused(refused, "refusing to serve on 0.0.0.0 without TLS")
    assert "PHARMACY_TRUSTED_PROXIES" in refused.stderr
    missing = _serve(tmp_path / "server", "--ssl-certfile", str(tmp_path / "no-such.pem"))
    _assert_refused(missing, "does not exist")


def test_an_unmigrated_database_is_refused_until_serve_migrate(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    refused = _serve(data_dir)
    _assert_refused(refused, "run `pharmacy-server migrate`")
    assert "pharmacy-server serve --migrate" in refused.stderr

    ready_file = data_dir / "ready.json"
    environment = {**os.environ, **PRODUCTION}
    environment.pop("PHARMACY_DATABASE_URL", None)
    command = [sys.executable, "-m", "pharmacy_server", "serve", "--port", "0", "--migrate"]
    command += ["--database", sqlite_url_for(data_dir / DEMO_DATABASE_NAME)]
    command += ["--state-dir", str(data_dir), "--ready-file", str(ready_file)]
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        from tests.helpers.live_server import _wait_until_ready

        url = _wait_until_ready(process, ready_file, log_path)
        assert httpx.get(f"{url}/readyz").json() == {"status": "ready", "detail": ""}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _json_lines(server: LiveServer) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]


def test_json_log_lines_carry_the_request_id_sent(tmp_path: Path) -> None:
    url = sqlite_url_for(tmp_path / "server" / DEMO_DATABASE_NAME)
    request_id = str(uuid.uuid4())
    with start_live_server(
        tmp_path / "server", database_url=url, demo=False, extra_env=PRODUCTION
    ) as server:
        answer = httpx.get(
            f"{server.url}/api/v1/prescriptions", headers={"X-Request-ID": request_id}
        )
        assert answer.status_code == 401
        assert answer.headers["x-request-id"] == request_id
        metrics = httpx.get(f"{server.url}/metrics")  # from loopback: allowed
        assert metrics.status_code == 200
        relayed = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert relayed.status_code == 403
    lines = _json_lines(server)
    assert lines, server.log_text()
    assert all(not line.startswith("20") for line in server.log_text().splitlines() if line)
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
    ours = [line for line in lines if line["request_id"] == request_id]
    access = [line for line in ours if line["logger"] == "pharmacy_server.access"]
    assert len(access) == 1
    assert str(access[0]["message"]).startswith("GET /api/v1/prescriptions 401 ")
    assert "pharmacy_http_requests_total{" in metrics.text


def test_two_workers_share_the_port_and_both_answer(tmp_path: Path) -> None:
    url = sqlite_url_for(tmp_path / "server" / DEMO_DATABASE_NAME)
    with start_live_server(
        tmp_path / "server",
        database_url=url,
        demo=False,
        extra_env=PRODUCTION,
        serve_args=("--workers", "2"),
    ) as server:
        answered_by: set[object] = set()
        asked = 0
        deadline = time.monotonic() + 60
        while len(answered_by) < 2 and time.monotonic() < deadline:
            asked += 1
            request_id = str(uuid.uuid4())
            # A new connection each time, so the kernel may hand it to either worker.
            with httpx.Client() as fresh:
                ready = fresh.get(f"{server.url}/readyz", headers={"X-Request-ID": request_id})
            assert ready.status_code == 200, ready.text
            answered_by |= {
                line["pid"]
                for line in _json_lines(server)
                if line["request_id"] == request_id and line["logger"] == "pharmacy_server.access"
            }
        # Whichever worker is scraped counts both: each answered some of the `asked`.
        counted = 'pharmacy_http_requests_total{method="GET",route="/readyz",status="200"}'
        scrapes: list[str] = []
        while time.monotonic() < deadline:
            with httpx.Client() as fresh:
                scrapes.append(fresh.get(f"{server.url}/metrics").text)
            if f"{counted} {asked}\n" in scrapes[-1]:
                break
        assert f"{counted} {asked}\n" in scrapes[-1], scrapes[-1]
    assert len(answered_by) == 2, server.log_text()
    assert server.process.pid not in answered_by  # the parent only supervises
    assert not list((tmp_path / "server").glob("metrics-*"))  # the shared folder is gone


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made for this test."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_serve_speaks_tls_with_the_certificate_given(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed_certificate(tmp_path)
    data_dir = tmp_path / "server"
    ready_file = tmp_path / "ready.json"
    environment = {**os.environ, **PRODUCTION}
    environment.pop("PHARMACY_DATABASE_URL", None)
    command = [sys.executable, "-m", "pharmacy_server", "serve", "--port", "0", "--migrate"]
    command += ["--database", sqlite_url_for(data_dir / DEMO_DATABASE_NAME)]
    command += ["--state-dir", str(data_dir), "--ready-file", str(ready_file)]
    command += ["--ssl-certfile", str(cert_file), "--ssl-keyfile", str(key_file)]
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not ready_file.exists():  # written once the TLS socket accepts
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        url = json.loads(ready_file.read_text())["url"]
        assert url.startswith("https://127.0.0.1:")
        trusting = ssl.create_default_context(cafile=str(cert_file))
        assert httpx.get(f"{url}/healthz", verify=trusting).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url.replace("https://", "http://") + "/healthz")
    finally:
        process.terminate()
        process.wait(timeout=30)
