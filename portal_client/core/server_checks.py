"""The pharmacy server's own checks of the order being composed, beside the instant ones.

The composer judges every keystroke on this computer; the server re-runs the checks
(``POST /api/v1/prescriptions/validate``, and again on submit) and its answer is the one
that counts. When the two disagree (the pharmacy published new rules, this computer's
copy is older), the checks panel shows the server's findings and says where they came
from. No Qt here: ``gui/composer/server_check.py`` asks in the background.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portal_client.core.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from pharmacy_domain.engine import Evaluation, Finding
    from portal_client.core.wire import ValidationWire

#: Beside the server's findings in the checks panel.
FROM_SERVER_TEXT = QT_TRANSLATE_NOOP("ServerChecks", "Checked by the pharmacy's server")
FROM_SERVER_DETAIL = QT_TRANSLATE_NOOP(
    "ServerChecks",
    "Its findings differ from this computer's instant check; the "
    "pharmacy's are the ones that count.",
)


def checked_content(body: Mapping[str, Any]) -> str:
    """What the server's findings depend on: the body without the prescriber's reasons
    (typing a reason changes which warnings lack one, never the findings)."""
    content = {key: value for key, value in body.items() if key != "acknowledgements"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class ServerCheck:
    """The server's answer for one order content (``checked_content``)."""

    content: str
    findings: tuple[Finding, ...]
    computed: Mapping[str, float | None]
    #: The (formulary, rules) versions the server judged with (None: it did not say).
    versions: tuple[int, int] | None = None

    @classmethod
    def from_wire(cls, content: str, answer: ValidationWire) -> ServerCheck:
        from pharmacy_domain.engine import Finding

        findings = tuple(
            Finding(
                code=item.code,
                severity=item.severity,
                message=item.message,
                field=item.field,
                source=item.source,
                to_confirm=item.to_confirm,
                rule=item.rule,
            )
            for item in answer.findings
        )
        computed = {
            key: None if value is None else float(value) for key, value in answer.computed.items()
        }
        versions = (
            None if answer.versions is None else (answer.versions.formulary, answer.versions.rules)
        )
        return cls(content, findings, computed, versions)

    def differs_from(self, local: Evaluation) -> bool:
        """Whether the server found something else than this computer (the words of a
        message may differ between versions; what, how severe and where may not)."""
        return _finding_keys(self.findings) != _finding_keys(local.findings)

    def replacing(self, local: Evaluation) -> Evaluation:
        """``local`` with the server's findings and figures: what the panel and the sign
        button go by. The parsed order stays the local one (the same body)."""
        from pharmacy_domain.engine import SEVERITY_RANK, Evaluation

        findings = sorted(self.findings, key=lambda f: -SEVERITY_RANK.get(f.severity, 0))
        return Evaluation(
            computed=dict(self.computed),
            findings=findings,
            errors=list(local.errors),
            prescription=local.prescription,
            as_typed=local.as_typed,
        )


def _finding_keys(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str, str, str]]:
    return sorted((f.code, f.severity, f.field) for f in findings)
