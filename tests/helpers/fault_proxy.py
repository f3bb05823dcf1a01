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
- ``ERROR_500_AFTER_FORWARD`` forward (the server commits), answer 500 instead of its answer
- ``ERROR_503``             answer 503 with ``Retry-After`` without forwarding
- ``ERROR_429``             answer 429 with ``Retry-After`` without forwarding

Faults are injected as rules matching a method and a path prefix, each for a
number of requests, or drawn at random for every request from a seeded mix
(``randomize``). ``applied`` counts what was actually done. With several
upstreams (``add_upstream``) the proxy is also a round-robin balancer.
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Mapping
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
    ERROR_500_AFTER_FORWARD = "error_500_after_forward"
    ERROR_503 = "error_503"
    ERROR_429 = "error_429"


_STATUS_LINES = {
    Fault.ERROR_500_AFTER_FORWARD: (500, "Internal Server Error"),
    Fault.ERROR_503: (503, "Service Unavailable"),
    Fault.ERROR_429: (429, "Too Many Requests"),
}


def _status_answer(status: int, reason: str, retry_after: float | None) -> bytes:
    body = json.dumps({"detail": f"injected {status}"}).encode()
    head = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if retry_after is not None:
        head.append(f"Retry-After: {math.ceil(retry_after)}")  # delta-seconds: an integer
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path_prefix: str | None
    remaining: int
    delay: float
    retry_after: float | None = None

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
        self._upstreams: list[tuple[str, int]] = [(self.upstream_host, self.upstream_port)]
        self._next_upstream = 0
        self.forwarded_to: Counter[int] = Counter()  # upstream port -> requests forwarded
        self._random_mix: list[tuple[Fault, float]] = []
        self._random_rng = random.Random(0)
        self._random_delay = (0.0, 0.0)
        self._random_retry_after = 1.0

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
        retry_after: float | None = 1.0,
    ) -> None:
        with self._lock:
            self._rules.append(_Rule(fault, method, path, times, delay, retry_after))

    def randomize(
        self,
        mix: Mapping[Fault, float],
        *,
        seed: int,
        delay: tuple[float, float] = (0.05, 0.5),
        retry_after: float = 1.0,
    ) -> None:
        """Draw a fault for every request no rule matches, with ``mix`` as relative weights.

        ``DELAY`` waits ``uniform(*delay)`` seconds; 503 and 429 carry ``retry_after``.
        """
        with self._lock:
            self._random_mix = [(fault, weight) for fault, weight in mix.items() if weight > 0]
            self._random_rng = random.Random(seed)
            self._random_delay = delay
            self._random_retry_after = retry_after

    def clear(self) -> None:
        """No more faults: drop the rules and the random mix."""
        with self._lock:
            self._rules.clear()
            self._random_mix = []

    def add_upstream(self, host: str, port: int) -> None:
        """Balance requests round-robin over this upstream too."""
        with self._lock:
            self._upstreams.append((host, port))

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
        with self._lock:
            self.upstream_port = upstream_port
            self._upstreams = [(self.upstream_host, upstream_port)]

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
            if self._random_mix:
                faults, weights = zip(*self._random_mix, strict=True)
                fault = self._random_rng.choices(faults, weights)[0]
                self.applied[fault] += 1
                if fault is Fault.PASS:
                    return None
                delay = self._random_rng.uniform(*self._random_delay)
                return _Rule(fault, None, None, 0, delay, self._random_retry_after)
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
        with self._lock:
            host, port = self._upstreams[self._next_upstream % len(self._upstreams)]
            self._next_upstream += 1
            self.forwarded_to[port] += 1
        with socket.create_connection((host, port), 10) as upstream:
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
            if fault in (Fault.ERROR_503, Fault.ERROR_429) and rule is not None:
                client.sendall(_status_answer(*_STATUS_LINES[fault], rule.retry_after))
                client.close()
                return
            answer = self._forward(request)
            if fault is Fault.ERROR_500_AFTER_FORWARD:
                client.sendall(_status_answer(*_STATUS_LINES[fault], None))
                client.close()
                return
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
