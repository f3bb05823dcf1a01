"""Favorites in the client: the composed order to save under a name, and a saved
favorite turned into the composer's state, as ``core.repeat`` does for a past order.

A favorite holds no patient (``pharmacy_domain.favorites``). Starting from one keeps the
patient already in the composer and takes the favorite's doses, vehicle, access and
infusion time onto the template's current version. When that is not the version it was
saved on, what changed is listed (the template's changes, then what they did to this
favorite) so the prescriber reads it before signing; nothing is changed unseen.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.favorites import FavoriteOnCurrent, apply_to_current, order_content
from pharmacy_domain.templates import Template
from portal_client.core.errors import PortalError
from portal_client.core.i18n import translate
from portal_client.core.repeat import VersionReader
from portal_client.core.wire import FavoriteWire

#: What the composer keeps of the order on screen when a favorite replaces its doses.
_KEPT_FROM_COMPOSER = ("patient", "labs", "dispensing", "notes")


class CannotStartFrom(PortalError):
    """The favorite's template is no longer published."""


def favorite_content(body: Mapping[str, Any]) -> dict[str, Any]:
    """What a favorite saves of the composer's ``to_body()``: never the patient."""
    return order_content(body)


def favorites_of(template_id: str, favorites: Sequence[FavoriteWire]) -> list[FavoriteWire]:
    """The favorites of one template, by name."""
    mine = [f for f in favorites if f.template_id == template_id]
    return sorted(mine, key=lambda f: f.name.casefold())


@dataclass(frozen=True)
class FavoritePlan:
    """A new draft (``draft_id``, ``payload`` in the composer's draft format) from a
    favorite, and what the prescriber must be told before signing it."""

    draft_id: str
    payload: dict[str, Any]
    favorite: FavoriteWire
    moved: FavoriteOnCurrent

    @property
    def template(self) -> Template:
        return self.moved.template

    @property
    def template_changed(self) -> bool:
        return self.moved.template_changed or bool(self.moved.adjustments)

    def message(self) -> str:
        """What the composer's banner says, one sentence a line."""
        heading = translate(
            "Favorites",
            "Started from your favorite “{name}”. Check the patient, then sign.",
        ).format(name=self.favorite.name)
        return "\n".join([heading, *self.moved.lines()])


def plan_favorite(
    favorite: FavoriteWire,
    latest: Sequence[Template],
    read_version: VersionReader,
    keep: Mapping[str, Any] | None = None,
) -> FavoritePlan:
    """The draft that starts from ``favorite`` on the newest of ``latest``, keeping the
    patient (and labs, dispensing details, notes) of ``keep``, a composer draft. Blocks on
    the network when the favorite's version is not the newest: run it off the GUI thread."""
    candidates = [t for t in latest if t.id == favorite.template_id]
    if not candidates:
        raise CannotStartFrom(
            translate(
                "Favorites",
                "The template of “{name}” is no longer offered by the pharmacy. Choose "
                "another template.",
            ).format(name=favorite.name)
        )
    current = max(candidates, key=lambda t: t.version)
    saved_on: Template | None = current
    if favorite.template_version != current.version:
        try:
            saved_on = read_version(favorite.template_id, favorite.template_version)
        except (PortalError, ValueError):
            saved_on = None
    moved = apply_to_current(favorite.content, favorite.template_version, saved_on, current)
    kept = {key: keep[key] for key in _KEPT_FROM_COMPOSER if keep and key in keep}
    payload: dict[str, Any] = {
        **kept,
        **moved.content,
        "template_id": current.id,
        "template_version": current.version,
    }
    return FavoritePlan(draft_id=str(uuid.uuid4()), payload=payload, favorite=favorite, moved=moved)
