"""The clinical checks beside the composer: computed figures and findings by severity.

The composer hands it one ``CheckResult`` per edit (the engine is pure and fast). The
figures update in place; the finding rows are rebuilt only when the findings change,
so typing a reason never loses focus. A click on a finding asks the composer to focus
the field concerned (``field_activated``); each warning has its own reason box.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.presentation import (
    CONFIRM_TEXT,
    SEVERITY_COLOURS,
    SEVERITY_TITLE,
    block_reason,
    computed_rows,
    group_findings,
)
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from pharmacy_domain.engine import Finding
    from portal_client.core.composer import CheckResult

FindingKey = tuple[str, str]  # (code, field): what an acknowledgement covers


def _pill(text: str, severity: str) -> str:
    background, foreground = SEVERITY_COLOURS[severity]
    return (
        f"<span style='background:{background};color:{foreground};font-weight:600;'>"
        f"&nbsp;{escape(text)}&nbsp;</span>"
    )


class FindingRow(QFrame):
    """One finding: message (a link to its field), source, "pharmacy to confirm", reason."""

    activated = Signal(str)

    def __init__(self, finding: Finding, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        name = f"Finding_{finding.severity}"
        self.setObjectName(name)
        background, foreground = SEVERITY_COLOURS.get(finding.severity, SEVERITY_COLOURS["info"])
        self.setStyleSheet(
            f"QFrame#{name} {{ background: {background}; border-left: 3px solid {foreground};"
            " border-radius: 4px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 7, 10, 7)
        layout.setSpacing(3)
        confirm = f" {_pill(CONFIRM_TEXT, 'warn')}" if finding.to_confirm else ""
        self.message = QLabel(
            f"<a href='field' style='color:#1F2933;text-decoration:none'>"
            f"{escape(finding.message)}</a>{confirm}"
        )
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setToolTip("Show the field concerned")
        self.message.setCursor(Qt.CursorShape.PointingHandCursor)
        self.message.linkActivated.connect(lambda _link: self.activated.emit(finding.field))
        layout.addWidget(self.message)
        if finding.source:
            source = muted(f"Source: {finding.source}", hint=True)
            layout.addWidget(source)
        self.reason: QLineEdit | None = None
        if finding.severity == "warn":
            self.reason = QLineEdit(reason)
            self.reason.setPlaceholderText("Your reason to go ahead (required)")
            self.reason.setAccessibleName(f"Reason for: {finding.message}")
            layout.addWidget(self.reason)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.activated.emit(self.finding.field)
        super().mousePressEvent(event)


class ChecksPanel(QFrame):
    """Signals:
    field_activated(str): the user clicked a finding; its ``field`` (dotted wire path).
    acknowledged(str, str, str): (code, field, reason) typed for a warning.
    """

    field_activated = Signal(str)
    acknowledged = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 8, 12)
        outer.setSpacing(8)
        outer.addWidget(section_title("Clinical checks"))
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("Verdict")
        outer.addWidget(self.verdict)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        # The body always takes the viewport's width (its children wrap to it): the
        # panel scrolls down, never sideways, whatever a finding's text holds.
        body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        body.setObjectName("CardBody")
        body.setStyleSheet("QWidget#CardBody { background: #FFFFFF; }")
        scroll.viewport().setObjectName("ChecksViewport")
        scroll.viewport().setStyleSheet("QWidget#ChecksViewport { background: #FFFFFF; }")
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        self.body_layout.setSpacing(8)
        self.body_layout.addWidget(section_title("Computed"))
        self.computed_grid = QGridLayout()
        self.computed_grid.setHorizontalSpacing(10)
        self.computed_grid.setVerticalSpacing(3)
        self.body_layout.addLayout(self.computed_grid)
        self.findings_layout = QVBoxLayout()
        self.findings_layout.setSpacing(6)
        self.body_layout.addLayout(self.findings_layout)
        self.body_layout.addStretch(1)
        scroll.setWidget(body)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)

        self._computed_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self._computed_keys: list[str] = []
        self._finding_keys: list[tuple[str, str, str, str]] | None = None
        self.rows: list[FindingRow] = []
        self.reason_edits: dict[FindingKey, QLineEdit] = {}
        self.show_empty()

    # ----------------------------------------------------------------- update

    def show_empty(self) -> None:
        self.verdict.setText(
            "<span style='color:#52606D'>Choose a template: the pharmacy's checks run "
            "here as you type.</span>"
        )
        self._show_computed({}, nutrition=False)
        self._show_findings([], {})

    def update_result(
        self,
        result: CheckResult,
        acknowledgements: Mapping[FindingKey, str],
        *,
        nutrition: bool,
        form_errors: int = 0,
    ) -> None:
        evaluation = result.evaluation
        computed = evaluation.computed if evaluation is not None else {}
        findings = list(evaluation.findings) if evaluation is not None else []
        self._show_computed(computed, nutrition=nutrition)
        self._show_findings(findings, acknowledgements)
        self.verdict.setText(self._verdict(result, form_errors))

    @staticmethod
    def _verdict(result: CheckResult, form_errors: int) -> str:
        if result.blocks:
            return _pill("BLOCKED", "block") + "&nbsp; " + escape(block_reason(result.blocks))
        missing = len(result.unacknowledged)
        if missing:
            noun = "warning needs" if missing == 1 else "warnings need"
            return _pill("WARNINGS", "warn") + f"&nbsp; {missing} {noun} your reason below."
        if form_errors:
            noun = "field" if form_errors == 1 else "fields"
            return (
                "<span style='color:#52606D'>No clinical block. "
                f"{form_errors} {noun} of the form still to complete.</span>"
            )
        return (
            "<span style='background:#DDF3E4;color:#1E6B3A;font-weight:600'>&nbsp;READY&nbsp;"
            "</span>&nbsp; Every check passed or has your reason."
        )

    def _show_computed(self, computed: Mapping[str, float | None], *, nutrition: bool) -> None:
        rows = computed_rows(computed, nutrition=nutrition)
        keys = [row.key for row in rows]
        if keys != self._computed_keys:
            while self.computed_grid.count():
                item = self.computed_grid.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self._computed_labels = {}
            for index, row in enumerate(rows):
                label = muted(row.label)
                value = QLabel()
                value.setWordWrap(True)
                value.setObjectName("ComputedValue")
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.computed_grid.addWidget(label, index, 0)
                self.computed_grid.addWidget(value, index, 1)
                self._computed_labels[row.key] = (label, value)
            self.computed_grid.setColumnStretch(0, 1)
            self.computed_grid.setColumnStretch(1, 1)
            self._computed_keys = keys
        for row in rows:
            _label, value = self._computed_labels[row.key]
            # The figure never breaks inside ("mOsm/ L"); its note goes on the next line.
            note = f"<br><span style='color:#7B8794;font-size:8pt'>{escape(row.note)}</span>"
            value.setText(
                f"<span style='white-space:nowrap'><b>{escape(row.text)}</b></span>"
                f"{note if row.note else ''}"
            )
            value.setToolTip(
                "An estimate from each stock product's osmolarity; the pharmacy confirms it."
                if row.key == "osmolarity_mosm_l"
                else ""
            )

    def _show_findings(
        self, findings: Sequence[Finding], acknowledgements: Mapping[FindingKey, str]
    ) -> None:
        keys = [(f.severity, f.code, f.field, f.message) for f in findings]
        if keys == self._finding_keys:
            return
        self._finding_keys = keys
        while self.findings_layout.count():
            item = self.findings_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        self.reason_edits = {}
        groups = group_findings(findings)
        if not groups and findings == []:
            return
        for severity, members in groups.items():
            header = QLabel(f"{_pill(SEVERITY_TITLE[severity].upper(), severity)}")
            header.setTextFormat(Qt.TextFormat.RichText)
            # Wrapping keeps the panel's minimum width small: a box layout lays out
            # height-for-width at no less than its items' minimum width, so one wide
            # line would make every finding below it too short for its text.
            header.setWordWrap(True)
            header.setContentsMargins(0, 6, 0, 0)
            self.findings_layout.addWidget(header)
            for finding in members:
                key = (finding.code, finding.field)
                row = FindingRow(finding, acknowledgements.get(key, ""))
                row.activated.connect(self.field_activated)
                if row.reason is not None:
                    self.reason_edits[key] = row.reason
                    row.reason.textEdited.connect(
                        lambda text, k=key: self.acknowledged.emit(k[0], k[1], text)
                    )
                self.findings_layout.addWidget(row)
                self.rows.append(row)

    # ------------------------------------------------------------ for tests

    def findings_shown(self, severity: str | None = None) -> list[Finding]:
        return [r.finding for r in self.rows if severity in (None, r.finding.severity)]
