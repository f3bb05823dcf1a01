"""urllib3 logs a retried request with its URL; the client's handlers drop the query
string (a queue or patient search's ``q`` is a patient's name) and keep the rest."""

from __future__ import annotations

import io
import logging

from portal_client.core.logs import QueryStringRedactor


def test_a_retried_search_is_logged_without_its_query_string() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(QueryStringRedactor())
    pool = logging.getLogger("urllib3.connectionpool")
    mine = logging.getLogger("portal_client.test")
    pool.addHandler(handler)
    mine.addHandler(handler)
    try:
        pool.warning(
            "Retrying (%r) after connection broken by '%r': %s",
            "Retry(total=1)",
            "ReadTimeout",
            "/api/v1/prescriptions?q=garc%C3%ADa&limit=100",
        )
        mine.warning("kept as is: %s", "/x?y=1")  # the client's own say what they mean
    finally:
        pool.removeHandler(handler)
        mine.removeHandler(handler)
    logged = stream.getvalue()
    assert "/api/v1/prescriptions?…" in logged and "garc" not in logged
    assert "Retrying ('Retry(total=1)')" in logged
    assert "kept as is: /x?y=1" in logged
