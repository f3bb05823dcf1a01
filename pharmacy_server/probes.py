"""``/readyz``: whether this process can serve requests now (for a load balancer).

``/healthz`` (in ``app.py``) only says the process is alive and never touches the
database, so a database outage does not get every process restarted; ``/readyz`` says
whether the database answers and its schema is the newest, so a balancer sends traffic
only to processes that can use it.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from pharmacy_server.deps import Context
from pharmacy_server.migrate import schema_is_current
from pharmacy_server.schemas import ReadyOut

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def readyz(context: Context) -> JSONResponse:
    try:
        with context.database.engine.connect() as connection:
            current = schema_is_current(connection)
    except SQLAlchemyError as failure:
        # The reason goes to the log only: the driver's message may name hosts or users.
        log.warning("not ready: the database does not answer (%s)", type(failure).__name__)
        answer = ReadyOut(status="not_ready", detail="the database does not answer")
        return JSONResponse(answer.model_dump(), status_code=503)
    if not current:
        answer = ReadyOut(
            status="not_ready",
            detail="the database schema is not at the newest migration: "
            "run pharmacy-server migrate",
        )
        return JSONResponse(answer.model_dump(), status_code=503)
    return JSONResponse(ReadyOut(status="ready", detail="").model_dump())
