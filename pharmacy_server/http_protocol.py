"""uvicorn's h11 protocol, answering a request it cannot parse with the JSON error body.

A request head h11 refuses (a NUL or other control character in a header, a malformed
request line, a head over ``MAX_REQUEST_HEAD_BYTES``) never reaches the application;
uvicorn answers it 400 in plain text. This subclass gives the same 400 as JSON, in the
shape of every other error, so a client has one format to read.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MALFORMED_REQUEST = {
    "detail": "The request is not valid HTTP (a malformed line or header, or a request "
    "head over 1 MiB).",
    "code": "request.malformed",
}


class JsonErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:  # noqa: ARG002 - uvicorn's plain-text message
        payload = json.dumps(MALFORMED_REQUEST).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=payload),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
