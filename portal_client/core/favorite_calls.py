"""``ApiClient``'s calls for the prescriber's favorites (``/api/v1/favorites``), kept in
their own module; each answer is parsed into ``core.wire`` types here, at the boundary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal_client.core.calls import ApiCalls
from portal_client.core.errors import ApiError
from portal_client.core.wire import FavoritePage, FavoriteWire


class FavoriteCalls:
    """Mixed into ``ApiClient``."""

    def list_favorites(self: ApiCalls) -> list[FavoriteWire]:
        """Every favorite of the signed-in prescriber, newest change first."""
        items: list[FavoriteWire] = []
        cursor: str | None = None
        for _ in range(100):  # a runaway cursor must not hang a worker thread forever
            page = self.read(
                FavoritePage, "GET", "/favorites", params={"cursor": cursor, "limit": 100}
            )
            items.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                break
        return items

    def create_favorite(
        self: ApiCalls,
        name: str,
        template_id: str,
        template_version: int,
        content: Mapping[str, Any],
    ) -> FavoriteWire:
        """Save a favorite; ``ApiError`` 422 (a field outside the template's limits, or
        the name) or 409 (the name is taken) naming the field."""
        request = {
            "name": name,
            "template_id": template_id,
            "template_version": template_version,
            "content": dict(content),
        }
        return self.read(FavoriteWire, "POST", "/favorites", json_body=request)

    def rename_favorite(self: ApiCalls, favorite_id: str, name: str, version: int) -> FavoriteWire:
        """Rename a favorite; a stale ``version`` or a taken name is ``ApiError`` 409."""
        return self.read(
            FavoriteWire,
            "PATCH",
            f"/favorites/{favorite_id}",
            json_body={"name": name, "version": version},
        )

    def delete_favorite(self: ApiCalls, favorite_id: str) -> bool:
        """Remove a favorite; False when it was already gone (404)."""
        try:
            self.request("DELETE", f"/favorites/{favorite_id}")
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True
