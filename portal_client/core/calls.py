"""What a mixin of ``ApiClient`` calls on ``self``: the one request method and the typed
read, so each group of calls (favorites, claims, patients) type-checks on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

W = TypeVar("W")


class ApiCalls(Protocol):
    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
    ) -> Any: ...

    def read(
        self,
        answer: type[W],
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
    ) -> W: ...
