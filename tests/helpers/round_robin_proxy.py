"""A small loopback load balancer for the scale-out test: asyncio on a thread of its own.

Each request is read whole, sent to the next upstream server in turn on a fresh
connection (``Connection: close``) with ``X-Forwarded-For`` set to the client's address,
as the nginx example does, and the whole answer is passed back. A request that repeats
an ``Idempotency-Key`` goes to a different server than the one that last took that key,
as a retry after a failed-over connection would: so a retry always crosses servers.
``served`` records who took what, for the test to check."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass

_MAX_HEAD = 64 * 1024
_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Served:
    upstream: int  # index into the proxy's upstreams
    method: str
    path: str
    idempotency_key: str | None
    authorization: str | None
    status: int
    replayed: bool  # the server answered with ``Idempotent-Replayed: true``


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    raw: bytes  # rewritten head plus the body


async def _read_request(reader: asyncio.StreamReader, peer: str) -> _Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head[:-4].decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lowered = name.strip().lower()
        headers[lowered] = value.strip()
        if lowered in ("connection", "keep-alive", "x-forwarded-for"):
            continue  # the proxy decides these, never the client
        kept.append(line)
    kept += [f"X-Forwarded-For: {peer}", "Connection: close"]
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    raw = ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body
    return _Request(method, path, headers, raw)


class RoundRobinProxy:
    """``with RoundRobinProxy([(host, port), …]) as proxy:`` then talk to ``proxy.url``."""

    def __init__(self, upstreams: Sequence[tuple[str, int]]) -> None:
        if not upstreams:
            raise ValueError("a balancer needs at least one upstream")
        self.upstreams = list(upstreams)
        self.served: list[Served] = []
        self._turn = 0
        self._last_for_key: dict[str, int] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="round-robin-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        if not self._ready.wait(_TIMEOUT_S) or self._server is None:
            raise RuntimeError("the proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_TIMEOUT_S)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_MAX_HEAD)
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            self._loop.close()

    def _choose(self, request: _Request) -> int:
        with self._lock:
            key = request.headers.get("idempotency-key")
            if key is not None and key in self._last_for_key:
                chosen = (self._last_for_key[key] + 1) % len(self.upstreams)
            else:
                chosen = self._turn % len(self.upstreams)
                self._turn += 1
            if key is not None:
                self._last_for_key[key] = chosen
            return chosen

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            peer = str(writer.get_extra_info("peername")[0])
            request = await _read_request(reader, peer)
            if request is None:
                return
            chosen = self._choose(request)
            host, port = self.upstreams[chosen]
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), _TIMEOUT_S
            )
            try:
                up_writer.write(request.raw)
                await up_writer.drain()
                answer = await asyncio.wait_for(up_reader.read(), _TIMEOUT_S)
            finally:
                up_writer.close()
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            head = answer.partition(b"\r\n\r\n")[0].lower()
            with self._lock:
                self.served.append(
                    Served(
                        chosen,
                        request.method,
                        request.path,
                        request.headers.get("idempotency-key"),
                        request.headers.get("authorization"),
                        status,
                        b"\r\nidempotent-replayed: true" in head,
                    )
                )
            writer.write(answer)
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the client sees a closed connection, as behind a real balancer
        finally:
            writer.close()
