"""A private certificate authority, a TLS front for a plain HTTP server, and a CONNECT
proxy: enough to test the client's trust settings and proxy use on loopback.

Both servers bind their socket before they return, so a client may connect at once;
each connection is served on its own daemon thread and copied byte for byte.
"""

from __future__ import annotations

import datetime
import ipaddress
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class PrivateCa:
    ca_file: Path  # what a client trusts
    cert_file: Path  # the server's certificate (for 127.0.0.1), signed by the CA
    key_file: Path


def make_private_ca(folder: Path) -> PrivateCa:
    """A CA made here, and a server certificate for 127.0.0.1 that it signed."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Pharmacy Private CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca = PrivateCa(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    ca.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    ca.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    ca.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca


def _copy_both_ways(first: socket.socket, second: socket.socket) -> None:
    """Copy until either side closes (TLS-buffered bytes included)."""
    with first, second:
        while True:
            readable, _, _ = select.select([first, second], [], [])
            for source in readable:
                target = second if source is first else first
                try:
                    data = source.recv(65536)
                    while isinstance(source, ssl.SSLSocket) and source.pending():
                        data += source.recv(source.pending())
                except (OSError, ssl.SSLError):
                    return
                if not data:
                    return
                try:
                    target.sendall(data)
                except OSError:
                    return


class _Listener:
    """A bound loopback socket whose connections ``serve`` handles, one thread each."""

    def __init__(self) -> None:
        self._socket = socket.create_server((LOOPBACK, 0))
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._guarded, args=(connection,), daemon=True).start()

    def _guarded(self, connection: socket.socket) -> None:
        with suppress(OSError, ssl.SSLError):
            self.serve(connection)

    def serve(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._socket.close()


class TlsFront(_Listener):
    """HTTPS on loopback, terminated here and passed on as plain HTTP to ``backend``."""

    def __init__(self, ca: PrivateCa, backend: tuple[str, int]) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(ca.cert_file, ca.key_file)
        self._backend = backend
        super().__init__()

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    def serve(self, connection: socket.socket) -> None:
        secure = self._context.wrap_socket(connection, server_side=True)  # may fail: untrusted
        _copy_both_ways(secure, socket.create_connection(self._backend))


class ConnectProxy(_Listener):
    """An HTTP proxy that knows only CONNECT (HTTPS tunnels); ``connections`` counts them."""

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def serve(self, connection: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = connection.recv(4096)
            if not chunk:
                connection.close()
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode("ascii").split(" ", 2)
        if method != "CONNECT":
            connection.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            connection.close()
            return
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _copy_both_ways(connection, upstream)


@contextmanager
def tls_front(ca: PrivateCa, backend_url: str) -> Iterator[TlsFront]:
    from urllib.parse import urlsplit

    parts = urlsplit(backend_url)
    front = TlsFront(ca, (parts.hostname or LOOPBACK, parts.port or 80))
    try:
        yield front
    finally:
        front.close()


@contextmanager
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    try:
        yield proxy
    finally:
        proxy.close()
