"""Small replies leave at once: TCP_NODELAY on both ends of every connection.

Without it a reply smaller than a segment waits for the client's delayed ACK (about
40 ms on Linux). asyncio sets the option on an accepted connection only when the listening
socket says ``IPPROTO_TCP``, so these tests look at the connection the server accepted,
not at a clock: the server runs in this process, the real portal client asks it for
``/healthz``, and both ends of that connection are found among this process's descriptors.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.security import Passwords, cheap_hasher, new_secret_key_text
from pharmacy_server.serving import TlsFiles, bind_listening_socket, run_one
from portal_client.core.api_client import ApiClient
from tests.helpers.tls import make_private_ca
from tests.server.support import encrypted_test_url

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="finds the server's socket through /proc"
)

START_TIMEOUT_S = 30.0


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _nodelay(sock: socket.socket) -> bool:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def _connection_ends(server_address: tuple[str, int]) -> tuple[bool, bool]:
    """TCP_NODELAY on the server's end and on the client's end of the one connection to
    ``server_address`` (both in this process)."""
    server_end: bool | None = None
    client_end: bool | None = None
    host, port = server_address[:2]
    for name in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue  # not a socket (or closed meanwhile)
        with sock:
            if sock.type != socket.SOCK_STREAM or sock.family not in (
                socket.AF_INET,
                socket.AF_INET6,
            ):
                continue
            try:
                local, peer = sock.getsockname(), sock.getpeername()
            except OSError:
                continue  # the listener itself: no peer
            if tuple(local[:2]) == (host, port):
                server_end = _nodelay(sock)
            elif tuple(peer[:2]) == (host, port):
                client_end = _nodelay(sock)
    assert server_end is not None and client_end is not None, "connection not found"
    return server_end, client_end


@pytest.fixture(scope="module")
def app_parts(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerSettings, Database]]:
    folder = tmp_path_factory.mktemp("nodelay")
    url = encrypted_test_url(folder / "pharmacy.sqlite3")
    upgrade_to_head(url)
    database = Database.from_url(url)
    settings = ServerSettings(
        database_url=url,
        secret_key=new_secret_key_text(),
        demo_mode=True,
        notifier="file",
        notify_dir=str(folder / "mail"),
    )
    yield settings, database
    database.dispose()


@contextmanager
def serving(
    parts: tuple[ServerSettings, Database], host: str, tls: TlsFiles | None
) -> Iterator[tuple[str, int]]:
    """The real app under the server's own socket and uvicorn set-up, on a thread."""
    settings, database = parts
    app = create_app(settings, database=database, passwords=Passwords(hasher=cheap_hasher()))
    sock = bind_listening_socket(host, 0)
    address = sock.getsockname()
    listening = threading.Event()
    stoppers: list[Callable[[], None]] = []

    def watch(stop: Callable[[], None]) -> threading.Event:
        stoppers.append(stop)
        return threading.Event()

    thread = threading.Thread(
        target=run_one,
        args=(app, sock),
        kwargs={"tls": tls, "on_listening": listening.set, "watch": watch},
        daemon=True,
    )
    thread.start()
    try:
        assert listening.wait(START_TIMEOUT_S), "the server did not start"
        yield address[0], address[1]
    finally:
        for stop in stoppers:
            stop()
        thread.join(START_TIMEOUT_S)
        sock.close()


HOSTS = [
    "127.0.0.1",
    pytest.param("::1", marks=pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback")),
]


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("use_tls", [False, True], ids=["http", "tls"])
def test_both_ends_of_a_connection_send_small_replies_at_once(
    app_parts: tuple[ServerSettings, Database], tmp_path: Path, host: str, use_tls: bool
) -> None:
    tls: TlsFiles | None = None
    ca_bundle: str | None = None
    if use_tls:
        ca = make_private_ca(tmp_path)
        if host != "127.0.0.1":
            pytest.skip("the test CA certifies 127.0.0.1 only")
        tls = TlsFiles(certfile=ca.cert_file, keyfile=ca.key_file)
        ca_bundle = str(ca.ca_file)
    with serving(app_parts, host, tls) as (bound_host, port):
        scheme = "https" if tls else "http"
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        client = ApiClient(f"{scheme}://{shown}:{port}", ca_bundle=ca_bundle)
        try:
            assert client.health().status == "ok"
            # The pooled connection stays open after the answer: look at both of its ends.
            server_end, client_end = _connection_ends((bound_host, port))
        finally:
            client.close()
        assert server_end, "the server's accepted connection has TCP_NODELAY off"
        assert client_end, "the portal client's connection has TCP_NODELAY off"


def _accepted_nodelay_in_child(sock: socket.socket, answer: multiprocessing.Queue[bool]) -> None:
    """In a spawned process, as each ``--workers`` process gets the socket: serve it
    with asyncio and report TCP_NODELAY of the first connection accepted."""

    async def serve() -> None:
        accepted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted.set_result(_nodelay(transport.get_extra_info("socket")))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=sock)
        async with server:
            answer.put(await accepted)

    asyncio.run(serve())


def test_each_worker_process_accepts_with_nodelay() -> None:
    # uvicorn hands the parent's socket to every worker it spawns by pickling it.
    sock = bind_listening_socket("127.0.0.1", 0)
    sock.listen()
    context = multiprocessing.get_context("spawn")
    answer: multiprocessing.Queue[bool] = context.Queue()
    worker = context.Process(target=_accepted_nodelay_in_child, args=(sock, answer))
    worker.start()
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=START_TIMEOUT_S):
            assert answer.get(timeout=START_TIMEOUT_S) is True
    finally:
        worker.join(START_TIMEOUT_S)
        sock.close()
