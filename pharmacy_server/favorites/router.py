"""A prescriber's own favorites: list, save, rename, delete. Only prescribers; another
prescriber's favorite is not found, like a missing id."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pharmacy_server.deps import CURSOR, LIMIT, ClientAddress, Context, PrescriberUser, parse_id
from pharmacy_server.favorites.schemas import (
    FavoriteIn,
    FavoriteList,
    FavoriteOut,
    FavoriteUpdate,
)
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["favorites"])


@router.get("/favorites", response_model=FavoriteList, responses=error_responses(401, 403, 422))
def list_favorites(
    context: Context,
    user: PrescriberUser,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
) -> FavoriteList:
    return context.favorites.list(user, limit=limit, cursor=cursor)


@router.post(
    "/favorites",
    status_code=201,
    response_model=FavoriteOut,
    responses=error_responses(401, 403, 409, 413, 422),
)
def create_favorite(
    context: Context, user: PrescriberUser, favorite: FavoriteIn, address: ClientAddress
) -> FavoriteOut:
    return context.favorites.create(
        user,
        name=favorite.name,
        template_id=favorite.template_id,
        template_version=favorite.template_version,
        content=favorite.content,
        address=address,
    )


@router.patch(
    "/favorites/{favorite_id}",
    response_model=FavoriteOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def rename_favorite(
    context: Context,
    user: PrescriberUser,
    favorite_id: str,
    change: FavoriteUpdate,
    address: ClientAddress,
) -> FavoriteOut:
    return context.favorites.rename(
        user,
        parse_id(favorite_id, "Favorite"),
        name=change.name,
        version=change.version,
        address=address,
    )


@router.delete(
    "/favorites/{favorite_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
def delete_favorite(
    context: Context, user: PrescriberUser, favorite_id: str, address: ClientAddress
) -> Response:
    context.favorites.delete(user, parse_id(favorite_id, "Favorite"), address=address)
    return Response(status_code=204)
