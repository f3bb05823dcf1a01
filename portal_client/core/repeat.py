"""Repeat a past prescription: the same patient, template and doses, on the template's
current version, as a new draft the composer opens with the checks run again.

The patient is the one the prescription holds, as it was signed. The order moves to the
template's newest version; when that is not the version signed, what changed is named
(``pharmacy_domain.template_changes``) so the prescriber reads it before signing. Doses
the new version no longer offers are left out and said; doses outside its limits stay as
they were and the checks block them, so nothing is changed unseen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.patient_records import PATIENT_LINK_FIELD
from pharmacy_domain.template_changes import TemplateChanges, diff_templates
from pharmacy_domain.templates import Template
from portal_client.core.errors import PortalError
from portal_client.core.i18n import translate
from portal_client.core.wire import PrescriptionWire

#: Reads one version of a template (``ApiClient.template_version``); blocks on the network.
VersionReader = Callable[[str, int], Template]


class CannotRepeat(PortalError):
    """The prescription's template is no longer published: there is nothing to repeat on."""


@dataclass(frozen=True)
class RepeatPlan:
    """A new draft (``draft_id``, ``payload`` in the composer's draft format) and what
    the prescriber must be told before signing it."""

    draft_id: str
    payload: dict[str, Any]
    template: Template
    source_reference: str
    changes: TemplateChanges | None  # None: the same version, or the old one unreadable
    old_version: int
    changes_unknown: bool = False

    @property
    def template_changed(self) -> bool:
        return self.old_version != self.template.version

    def message(self) -> str:
        """What the composer's banner says, one sentence a line."""
        lines = [
            translate(
                "Repeat",
                "Repeat of {reference}: the same patient (as signed then), template and "
                "doses. Check the patient's weight and results, then sign.",
            ).format(reference=self.source_reference)
        ]
        if self.changes is not None and self.changes.changed:
            lines += self.changes.lines()
        elif self.template_changed:
            lines.append(
                translate(
                    "Repeat",
                    "{template} changed since version {old} (now version {new}); what "
                    "changed could not be read. Review every dose.",
                ).format(
                    template=self.template.name,
                    old=self.old_version,
                    new=self.template.version,
                )
            )
        return "\n".join(lines)


def plan_repeat(
    prescription: PrescriptionWire,
    latest: Sequence[Template],
    read_version: VersionReader,
) -> RepeatPlan:
    """The draft that repeats ``prescription`` on the newest of ``latest``. Blocks on the
    network when the version signed is not the newest (``read_version``): run it off the
    GUI thread. Raises ``CannotRepeat`` when the template is gone."""
    candidates = [t for t in latest if t.id == prescription.template_id]
    if not candidates:
        raise CannotRepeat(
            translate(
                "Repeat",
                "{template} is no longer offered by the pharmacy, so {reference} cannot be "
                "repeated. Start a new prescription.",
            ).format(template=prescription.template_name, reference=prescription.reference)
        )
    current = max(candidates, key=lambda t: t.version)
    changes: TemplateChanges | None = None
    unknown = False
    if prescription.template_version != current.version:
        try:
            signed_on = read_version(prescription.template_id, prescription.template_version)
            changes = diff_templates(signed_on, current)
        except (PortalError, ValueError):
            unknown = True
    offered = {row.code for row in current.ingredients}
    body = prescription.body()
    payload: dict[str, Any] = {
        **body,
        "template_version": current.version,
        "ingredients": [line for line in body["ingredients"] if line.get("code") in offered],
        # The reasons given for last time's warnings are not carried over: this order's
        # checks run again and ask for their own.
        "acknowledgements": [],
    }
    if prescription.patient_id:
        payload[PATIENT_LINK_FIELD] = prescription.patient_id  # still the same record's order
    return RepeatPlan(
        draft_id=str(uuid.uuid4()),
        payload=payload,
        template=current,
        source_reference=prescription.reference,
        changes=changes,
        old_version=prescription.template_version,
        changes_unknown=unknown,
    )
