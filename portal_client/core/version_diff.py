"""What a field clarification and a new version look like, without Qt (issue 12).

The prescriber's side: the proposal beside the original value, and the body to sign when
accepting it (``accepted_body``: the latest content with the proposal applied by the
domain's own rule, after checking the content is the one the server says it holds). The
pharmacist's side: the differences between two versions, the old value struck through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from pharmacy_domain.canonical import canonical_sha256
from pharmacy_domain.field_proposals import (
    FieldChange,
    ProposableField,
    apply_proposal,
    diff_contents,
    proposable_fields,
    proposal_summary,
    shown_value,
)
from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.i18n import translate
from portal_client.core.presentation import findings_html
from portal_client.core.version_wire import FieldProposalWire, PrescriptionVersionsWire
from portal_client.core.wire import FindingWire, PrescriptionWire


class ContentMismatch(ValueError):
    """The versions the server listed do not hold the content the prescription shows."""


def local_template(template_id: str, version: int) -> Template | None:
    """The template as this client ships it (for field names and limits); None when the
    pharmacy published one this client does not hold."""
    return load_template_catalog().get(template_id, version)


def fields_to_ask_about(item: PrescriptionWire) -> list[ProposableField]:
    """The fields of ``item`` a pharmacist may propose a value for (its template's)."""
    template = local_template(item.template_id, item.template_version)
    return [] if template is None else proposable_fields(template, item.body())


def accepted_body(item: PrescriptionWire, versions: PrescriptionVersionsWire) -> dict[str, Any]:
    """The order the prescriber signs to accept the open proposal: the latest version's
    content, checked against the prescription's hash, with the proposal applied."""
    proposal = versions.open_proposal
    latest = versions.version(versions.latest)
    if proposal is None or latest is None:
        raise ContentMismatch("no open proposal")
    content = dict(latest.content)
    if canonical_sha256(content) != item.content_sha256 or versions.latest != item.version:
        raise ContentMismatch("the listed version is not the prescription's content")
    return apply_proposal(content, proposal.field, proposal.value)


def proposal_text(proposal: FieldProposalWire) -> str:
    """``Magnesium chloride … 5 mL → 3 mL proposed by Priya Nair, PharmD``."""
    change = proposal_summary(proposal.label, proposal.current_value, proposal.value, proposal.unit)
    return translate("FieldClarification", "{change} proposed by {name}").format(
        change=change, name=proposal.proposed_by.display_name
    )


def proposal_html(proposal: FieldProposalWire) -> str:
    """The proposal beside the original value, and the pharmacist's message."""
    old = escape(shown_value(proposal.current_value, proposal.unit))
    new = escape(shown_value(proposal.value, proposal.unit))
    by = translate("FieldClarification", "proposed by {name}").format(
        name=escape(proposal.proposed_by.display_name)
    )
    return (
        f"<p><b>{escape(proposal.label)}</b>: {old} → <b>{new}</b> <i>{by}</i></p>"
        f"<p>{escape(proposal.message)}</p>"
    )


def changes_html(changes: Sequence[FieldChange]) -> str:
    """Each change as a row: the field, the old value struck through, the new beside."""
    if not changes:
        return "<p>" + escape(translate("FieldClarification", "No field changed.")) + "</p>"
    rows = []
    for change in changes:
        old = escape(shown_value(change.old, change.unit))
        new = escape(shown_value(change.new, change.unit))
        rows.append(
            f"<tr><td>{escape(change.label)}</td>"
            f"<td><s style='color:#a33'>{old}</s></td><td>→</td>"
            f"<td><b style='color:#176b2c'>{new}</b></td></tr>"
        )
    return "<table cellspacing='6'>" + "".join(rows) + "</table>"


def version_changes(
    versions: PrescriptionVersionsWire, number: int, template: Template | None
) -> list[FieldChange]:
    """What version ``number`` changed from the one before it (none for version 1)."""
    current, before = versions.version(number), versions.version(number - 1)
    if current is None or before is None:
        return []
    return diff_contents(before.content, current.content, template)


def version_heading(versions: PrescriptionVersionsWire, number: int) -> str:
    version = versions.version(number)
    signer = "" if version is None else version.signed_by.display_name
    if number == versions.latest:
        text = translate("FieldClarification", "Version {number} (current), signed by {name}")
    else:
        text = translate("FieldClarification", "Version {number}, signed by {name}")
    return text.format(number=number, name=signer)


def version_html(versions: PrescriptionVersionsWire, number: int, template: Template | None) -> str:
    """One version: its heading, its hash, and what it changed from the one before."""
    version = versions.version(number)
    if version is None:
        return ""
    parts = [f"<p><b>{escape(version_heading(versions, number))}</b></p>"]
    if number > 1:
        parts.append(
            "<p>"
            + escape(translate("FieldClarification", "Changed from version {number}:")).format(
                number=number - 1
            )
            + "</p>"
        )
        parts.append(changes_html(version_changes(versions, number, template)))
    else:
        parts.append(
            "<p>"
            + escape(translate("FieldClarification", "As the prescriber first signed it."))
            + "</p>"
        )
    parts.append(
        "<p><small>"
        + escape(translate("FieldClarification", "Content SHA-256: {digest}")).format(
            digest=version.content_sha256[:16] + "…"
        )
        + "</small></p>"
    )
    return "".join(parts)


def resign_summary_html(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    findings: Sequence[FindingWire],
    template: Template | None,
) -> str:
    """What the sign dialog shows when accepting: the change, and the checks run again."""
    heading = escape(
        translate("FieldClarification", "The order changes as the pharmacist proposed:")
    )
    checks = escape(
        translate("FieldClarification", "The pharmacy server's checks on the changed order:")
    )
    parts = [f"<p><b>{heading}</b></p>", changes_html(diff_contents(before, after, template))]
    parts.append(f"<p><b>{checks}</b></p>")
    if findings:
        parts.append(findings_html(findings))
    else:
        parts.append("<p>" + escape(translate("FieldClarification", "No findings.")) + "</p>")
    return "".join(parts)
