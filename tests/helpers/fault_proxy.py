"""A threaded HTTP-aware TCP proxy on a random loopback port that can misbehave.

Placed between the client and a real server, it forwards each request on a fresh
upstream connection (``Connection: close``) and can, for chosen requests:

- ``PASS``                  forward and answer normally
- ``DELAY``                 hold the answer for ``delay`` seconds, then pass it on
- ``HANG``                  accept the request and never answer (nothing forwarded)
- ``HANG_AFTER_FORWARD``    forward (the server commits) and never answer
- ``RESET_BEFORE_FORWARD``  reset the client connection without forwarding
- ``RESET_AFTER_RESPONSE``  forward, receive the server's whole answer, then reset
- ``TRUNCATE_RESPONSE``     forward, pass on the headers and half the body, then close

Faults are injected as rules matching a method and a path prefix, each for a
number of requests. ``applied`` counts what was actually done.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

_MAX_HEAD = 64 * 1024


class Fault(enum.Enum):
    PASS = "pass"
    DELAY = "delay"
    HANG = "hang"
    HANG_AFTER_FORWARD = "hang_after_forward"
    RESET_BEFORE_FORWARD = "reset_before_forward"
    RESET_AFTER_RESPONSE = "reset_after_response"
    TRUNCATE_RESPONSE = "truncate_response"


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path_prefix: str | None
    remaining: int
    delay: float

    def matches(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0
            and (self.method is None or self.method == method)
            and (self.path_prefix is None or path.startswith(self.path_prefix))
        )


@dataclass
class _Request:
    method: str
    path: str
    raw: bytes  # head rewritten with Connection: close, plus the body


def _reset(connection: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER on, zero timeout)."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _read_request(connection: socket.socket) -> _Request | None:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        buffer += chunk
        if len(buffer) > _MAX_HEAD:
            return None
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lowered = name.strip().lower()
        if lowered == "content-length":
            length = int(value.strip())
        if lowered in ("connection", "keep-alive"):
            continue
        kept.append(line)
    kept.append("Connection: close")
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        rest += chunk
    raw = ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + rest[:length]
    return _Request(method=method, path=path, raw=raw)


def _read_until_closed(connection: socket.socket) -> bytes:
    data = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    host: str = "127.0.0.1"
    applied: Counter[Fault] = field(default_factory=Counter)
    requests_seen: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._listener = socket.create_server((self.host, 0))
        self.port = int(self._listener.getsockname()[1])
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def inject(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        with self._lock:
            self._rules.append(_Rule(fault, method, path, times, delay))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending_faults(self) -> int:
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def set_offline(self, offline: bool) -> None:
        """Offline: the port refuses connections (nothing is sent). Online: accept again."""
        if offline:
            self._close_listener()
        else:
            self._listener = socket.create_server((self.host, self.port))
            self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
            self._acceptor.start()

    def _close_listener(self) -> None:
        # close() alone does not wake a thread blocked in accept(); shutdown() does.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._acceptor.join(5)

    def retarget(self, upstream_port: int) -> None:
        """Point at a restarted server (new port), keeping the client-facing port."""
        self.upstream_port = upstream_port

    def stop(self) -> None:
        self._stopping.set()
        self._close_listener()
        with self._lock:
            for connection in list(self._open):
                _reset(connection)
            self._open.clear()
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)

    # ---------------------------------------------------------------- inside

    def _choose(self, request: _Request) -> _Rule | None:
        with self._lock:
            self.requests_seen.append((request.method, request.path))
            for rule in self._rules:
                if rule.matches(request.method, request.path):
                    rule.remaining -= 1
                    self.applied[rule.fault] += 1
                    return rule
            self.applied[Fault.PASS] += 1
            return None

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._open.add(client)
            worker = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(worker)
            worker.start()

    def _forward(self, request: _Request) -> bytes:
        with socket.create_connection((self.upstream_host, self.upstream_port), 10) as upstream:
            upstream.sendall(request.raw)
            return _read_until_closed(upstream)

    def _serve(self, client: socket.socket) -> None:
        try:
            request = _read_request(client)
            if request is None:
                client.close()
                return
            rule = self._choose(request)
            fault = Fault.PASS if rule is None else rule.fault
            if fault is Fault.RESET_BEFORE_FORWARD:
                _reset(client)
                return
            if fault is Fault.HANG:
                self._stopping.wait()
                _reset(client)
                return
            answer = self._forward(request)
            if fault is Fault.HANG_AFTER_FORWARD:
                self._stopping.wait()
                _reset(client)
                return
            if fault is Fault.RESET_AFTER_RESPONSE:
                _reset(client)
                return
            if fault is Fault.DELAY and rule is not None:
                self._stopping.wait(rule.delay)  # the injected latency itself
            if fault is Fault.TRUNCATE_RESPONSE:
                head, _, body = answer.partition(b"\r\n\r\n")
                client.sendall(head + b"\r\n\r\n" + body[: max(1, len(body) // 2)])
                client.close()
                return
            client.sendall(answer)
            client.close()
        except OSError:
            _reset(client)
        finally:
            with self._lock:
                self._open.discard(client)
