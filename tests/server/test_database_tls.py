"""TLS to PostgreSQL: ``PHARMACY_DATABASE_SSLMODE`` and ``PHARMACY_DATABASE_SSLROOTCERT``
reach psycopg. A private cluster of its own serves TLS with a certificate from a test CA;
``verify-full`` with that CA connects encrypted, with another CA it is refused."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pharmacy_server.config import ServerSettings
from pharmacy_server.database_setup import prepare_database, with_tls
from pharmacy_server.db import Database
from tests.helpers.postgres import (
    PostgresServer,
    _unprivileged_account,
    find_server_binaries,
    missing_server_message,
    private_cluster,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # a cluster of its own


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate_authority(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _server_certificate(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def tls_cluster() -> Iterator[tuple[PostgresServer, Path, Path]]:
    """A TLS-only private cluster; its URL, the CA that signed it and an unrelated CA."""
    binaries = find_server_binaries()
    if binaries is None:
        pytest.fail(missing_server_message(), pytrace=False)
    folder = Path(tempfile.mkdtemp(prefix="portal-test-tls-"))
    try:
        ca_key, ca = _certificate_authority("Test database CA")
        server_key, server_certificate = _server_certificate(ca_key, ca)
        (folder / "root.crt").write_bytes(_pem(ca))
        (folder / "other-root.crt").write_bytes(_pem(_certificate_authority("Other CA")[1]))
        (folder / "server.crt").write_bytes(_pem(server_certificate))
        key_path = folder / "server.key"
        key_path.write_bytes(
            server_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        os.chmod(key_path, 0o600)  # PostgreSQL refuses a key others may read
        account = _unprivileged_account()
        if account is not None:  # as root the cluster runs as another user, who reads these
            for path in (folder, folder / "server.crt", key_path):
                os.chown(path, account.uid, account.gid)
        settings = {
            "ssl": "on",
            "ssl_cert_file": str(folder / "server.crt"),
            "ssl_key_file": str(key_path),
        }
        with private_cluster(binaries, settings) as server:
            yield server, folder / "root.crt", folder / "other-root.crt"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_tls_settings_reach_the_url_of_postgres_only() -> None:
    settings = ServerSettings(database_sslmode="verify-full", database_sslrootcert="/ca.crt")
    url = with_tls("postgresql+psycopg://rx:p%40ss@db/rx", settings)
    assert url == "postgresql+psycopg://rx:p%40ss@db/rx?sslmode=verify-full&sslrootcert=%2Fca.crt"
    assert with_tls("sqlite:///pharmacy.sqlite3", settings) == "sqlite:///pharmacy.sqlite3"
    assert with_tls("postgresql+psycopg://rx@db/rx", ServerSettings()) == (
        "postgresql+psycopg://rx@db/rx"
    )


def test_verify_full_with_the_root_certificate_connects_encrypted(
    tls_cluster: tuple[PostgresServer, Path, Path], tmp_path: Path
) -> None:
    server, root, _ = tls_cluster
    url = server.create_database()
    settings = ServerSettings(database_sslmode="verify-full", database_sslrootcert=str(root))
    prepared = prepare_database(url, settings, tmp_path / "state", demo=False, migrate=True)
    database = Database.from_url(prepared)
    try:
        with database.reading() as session:
            encrypted = session.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).scalar_one()
            tables = session.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    finally:
        database.dispose()
    assert encrypted is True
    assert tables == 1  # the migrations ran over TLS too


def test_verify_full_refuses_a_server_another_ca_signed(
    tls_cluster: tuple[PostgresServer, Path, Path], tmp_path: Path
) -> None:
    server, _, other_root = tls_cluster
    url = server.create_database()
    settings = ServerSettings(database_sslmode="verify-full", database_sslrootcert=str(other_root))
    with pytest.raises(OperationalError, match="certificate verify failed"):
        prepare_database(url, settings, tmp_path / "state", demo=False, migrate=True)
