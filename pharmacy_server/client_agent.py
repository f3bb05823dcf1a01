"""The caller's User-Agent for the request being served, kept apart from the HTTP layer
so services can read it (they never import Starlette).

``RequestIdMiddleware`` sets it; a new session records it, so an administrator can tell a
user's sessions apart ("" outside a request or when the caller sent none).
"""

from __future__ import annotations

from contextvars import ContextVar

MAX_CLIENT_AGENT_LENGTH = 200

#: Printable ASCII, cut to 200 characters. Route code on Starlette's thread pool sees it
#: too: the pool copies the context.
current_client_agent: ContextVar[str] = ContextVar("current_client_agent", default="")


def accepted_client_agent(sent: str | None) -> str:
    """A User-Agent fit to store and show: printable ASCII only, at most 200 characters."""
    if not sent:
        return ""
    printable = "".join(char for char in sent if " " <= char <= "~")
    return printable.strip()[:MAX_CLIENT_AGENT_LENGTH]
