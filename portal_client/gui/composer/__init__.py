"""The "New prescription" composer: template, patient, ingredients, administration, labs,
notes, and the pharmacy's clinical checks beside the form.

All the decisions live in ``core.composer.ComposerState``; the parts here render it.
The shared engine runs on every edit (pure, well under a millisecond) and the checks
panel shows its figures and findings. A field shows its error once the user has
touched it, and every error shows after a sign attempt, next to its field and in a
summary at the top. Nothing typed is ever cleared by an error.

Every edit is autosaved (encrypted) within a second through the durable store's
``AutosaveDebouncer``; the save itself runs off the GUI thread. Signing opens the
sign dialog (step-up), then queues the signed body in the outbox, which sends it.

Parts: ``template_card``, ``patient_card``, ``ingredients_card``, ``administration_card``
(with the notes), ``labs_card``, ``bars`` (header and sign bar), ``autosave``,
``signing`` (the sign dialog flow), assembled by ``page.ComposerPage``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal_client.gui.composer.page import ComposerPage
    from portal_client.gui.composer.signing import SignFlow, ask_discard, open_sign_dialog
    from portal_client.gui.composer.template_card import TEMPLATE_ROLE, TemplateTree

__all__ = [
    "TEMPLATE_ROLE",
    "ComposerPage",
    "SignFlow",
    "TemplateTree",
    "ask_discard",
    "open_sign_dialog",
]

# Loaded on first use: importing one part (``composer.fields``) must not load them all,
# so the warm-up (``gui/warm_up.py``) can import the parts one at a time.
_HOME = {
    "TEMPLATE_ROLE": "template_card",
    "ComposerPage": "page",
    "SignFlow": "signing",
    "TemplateTree": "template_card",
    "ask_discard": "signing",
    "open_sign_dialog": "signing",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
