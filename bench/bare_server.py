"""The baseline of ``bench/submissions.py``: a bare FastAPI endpoint that inserts one row.

Same interpreter, same uvicorn, same database engine set-up (``pharmacy_server.db``: WAL,
``synchronous=FULL``, SQLCipher for SQLite) and the same listening socket as the pharmacy
server, but nothing else: no authentication, checks, signature, audit or reference number.
Each ``POST /submit`` stores the request body (the same signed order the real server gets)
under its ``Idempotency-Key`` in one row.

    BENCH_BARE_DATABASE_URL=... python -m bench.bare_server READY_FILE
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import Body, FastAPI, Header
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, Uuid, insert

from pharmacy_server.db import Database
from pharmacy_server.serving import bind_listening_socket

DATABASE_URL_ENV = "BENCH_BARE_DATABASE_URL"

metadata = MetaData()
submissions = Table(
    "bare_submission",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("idempotency_key", String(255), unique=True, nullable=False),
    Column("body_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def create_bare_app(database: Database) -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/submit", status_code=201)
    def submit(
        body: Annotated[dict[str, Any], Body()],
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    ) -> dict[str, str]:
        row_id = uuid.uuid4()
        with database.writing() as session:
            session.execute(
                insert(submissions).values(
                    id=row_id,
                    idempotency_key=idempotency_key,
                    body_json=json.dumps(body, separators=(",", ":"), sort_keys=True),
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
        return {"id": str(row_id)}

    return app


def main() -> None:
    ready_file = Path(sys.argv[1])
    database = Database.from_url(os.environ[DATABASE_URL_ENV])
    metadata.create_all(database.engine)
    sock = bind_listening_socket("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(create_bare_app(database), log_config=None, access_log=False)

    class _Ready(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            ready_file.write_text(json.dumps({"url": f"http://{host}:{port}"}), encoding="utf-8")

    _Ready(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
