"""Durability for the client: encrypted drafts, the signed-prescription outbox, the data key.

Nothing here imports Qt. ``open_user_store`` wires the pieces for one signed-in user.
"""

from __future__ import annotations

from portal_client.core.durable.session import DurableSession, open_user_store

__all__ = ["DurableSession", "open_user_store"]
