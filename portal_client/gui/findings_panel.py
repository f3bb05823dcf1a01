"""The clinical checks beside the composer: computed figures and findings by severity.

The composer hands it one ``CheckResult`` per edit (the engine is pure and fast). The
figures update in place, and so do the finding rows while the same findings stand (only
their figures change); they are rebuilt only when findings come or go, so typing a
reason never loses focus. A click on a finding asks the composer to focus
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
    SEVERITY_COLOURS,
    block_reason,
    computed_rows,
    confirm_text,
    group_findings,
    severity_title,
)
from portal_client.core.server_checks import FROM_SERVER_DETAIL, FROM_SERVER_TEXT
from portal_client.gui.i18n import translate
from portal_client.gui.theme import text_colour
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from pharmacy_domain.engine import Finding
    from portal_client.core.form_review import CheckResult

FindingKey = tuple[str, str]  # (code, field): what an acknowledgement covers


def _shape(finding: Finding) -> tuple[str, str, str, str, bool]:
    """What a finding's row is built from, its message aside."""
    return (finding.severity, finding.code, finding.field, finding.source, finding.to_confirm)


#: The pharmacy server's answer: blue, unlike any severity, so it never reads as a finding.
_PILL_COLOURS = {"server": ("#DCEBFA", "#1F4E8C")}
#: A finding's text and its source line: dark on the row's light tint in either palette.
FINDING_TEXT = {"message": "#1F2933", "source": "#52606D"}


def _pill(text: str, severity: str) -> str:
    background, foreground = _PILL_COLOURS.get(severity) or SEVERITY_COLOURS[severity]
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
            f" QFrame#{name} QLabel {{ color: {FINDING_TEXT['message']}; }}"
            f" QFrame#{name} QLabel#Hint {{ color: {FINDING_TEXT['source']}; }}"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 7, 10, 7)
        layout.setSpacing(3)
        self.message = QLabel(self._message_html(finding))
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setToolTip(self.tr("Show the field concerned"))
        self.message.setCursor(Qt.CursorShape.PointingHandCursor)
        self.message.linkActivated.connect(lambda _link: self.activated.emit(self.finding.field))
        layout.addWidget(self.message)
        if finding.source:
            source = muted(self.tr("Source: {source}").format(source=finding.source), hint=True)
            layout.addWidget(source)
        self.reason: QLineEdit | None = None
        if finding.severity == "warn":
            self.reason = QLineEdit(reason)
            self.reason.setPlaceholderText(self.tr("Your reason to go ahead (required)"))
            self._name_reason(finding)
            layout.addWidget(self.reason)

    @staticmethod
    def _message_html(finding: Finding) -> str:
        confirm = f" {_pill(confirm_text(), 'warn')}" if finding.to_confirm else ""
        return (
            f"<a href='field' style='color:{FINDING_TEXT['message']};text-decoration:none'>"
            f"{escape(finding.message)}</a>{confirm}"
        )

    def _name_reason(self, finding: Finding) -> None:
        if self.reason is not None:
            self.reason.setAccessibleName(
                self.tr("Reason for: {message}").format(message=finding.message)
            )

    def show_finding(self, finding: Finding) -> None:
        """The same finding with new figures in its message (the dose changed)."""
        if finding.message != self.finding.message:
            self.message.setText(self._message_html(finding))
            self._name_reason(finding)
        self.finding = finding

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
        outer.addWidget(section_title(self.tr("Clinical checks")))
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("Verdict")
        outer.addWidget(self.verdict)
        #: Says when the findings below are the pharmacy server's rather than the local ones.
        self.source = QLabel(
            f"{_pill(translate('ServerChecks', FROM_SERVER_TEXT).upper(), 'server')}&nbsp; "
            f"{escape(translate('ServerChecks', FROM_SERVER_DETAIL))}"
        )
        self.source.setObjectName("ChecksSource")
        self.source.setWordWrap(True)
        self.source.setTextFormat(Qt.TextFormat.RichText)
        self.source.setAccessibleName(translate("ServerChecks", FROM_SERVER_TEXT))
        self.source.hide()
        outer.addWidget(self.source)

        self.scroll_area = self._build_scroll()
        outer.addWidget(self.scroll_area, 1)

        self._computed_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self._computed_keys: list[str] = []
        self._finding_keys: list[tuple[str, str, str, str, bool]] | None = None
        self.rows: list[FindingRow] = []
        self._headers: dict[str, QLabel] = {}  # one per severity shown
        self.reason_edits: dict[FindingKey, QLineEdit] = {}
        self.show_empty()

    def _build_scroll(self) -> QScrollArea:
        """The scrolling part: the computed figures, then the findings."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # No Tab stop of its own: Tab goes to the reasons inside, which scroll into view.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName(self.tr("Clinical checks"))
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        # The body always takes the viewport's width (its children wrap to it): the
        # panel scrolls down, never sideways, whatever a finding's text holds.
        body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        body.setObjectName("CardBody")
        body.setStyleSheet("QWidget#CardBody { background: palette(base); }")
        scroll.viewport().setObjectName("ChecksViewport")
        scroll.viewport().setStyleSheet("QWidget#ChecksViewport { background: palette(base); }")
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        self.body_layout.setSpacing(8)
        self.body_layout.addWidget(section_title(self.tr("Computed")))
        self.computed_grid = QGridLayout()
        self.computed_grid.setHorizontalSpacing(10)
        self.computed_grid.setVerticalSpacing(3)
        self.body_layout.addLayout(self.computed_grid)
        self.findings_layout = QVBoxLayout()
        self.findings_layout.setSpacing(6)
        self.body_layout.addLayout(self.findings_layout)
        self.body_layout.addStretch(1)
        scroll.setWidget(body)
        return scroll

    # ----------------------------------------------------------------- update

    def show_empty(self) -> None:
        self.verdict.setText(
            self.tr(
                "<span style='color:{text_colour}'>Choose a template: the pharmacy's "
                "checks run here as you type.</span>"
            ).format(text_colour=text_colour("muted"))
        )
        self.source.hide()
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
        self.source.setVisible(result.from_server)

    @staticmethod
    def _verdict(result: CheckResult, form_errors: int) -> str:
        def grey(text: str) -> str:
            return f"<span style='color:{text_colour('muted')}'>{text}</span>"

        evaluation = result.evaluation
        if result.errors and (evaluation is None or not evaluation.checked):
            # Nothing was judged yet: never say "no block" about an order not checked.
            count = form_errors or len(result.errors)
            return grey(
                translate("ChecksPanel", "Not checked yet: 1 field of the form to complete first.")
                if count == 1
                else translate(
                    "ChecksPanel", "Not checked yet: {count} fields of the form to complete first."
                ).format(count=count)
            )
        if result.blocks:
            return (
                _pill(translate("ChecksPanel", "BLOCKED"), "block")
                + "&nbsp; "
                + escape(block_reason(result.blocks))
            )
        missing = len(result.unacknowledged)
        if missing:
            needs = (
                translate("ChecksPanel", "1 warning needs your reason below.")
                if missing == 1
                else translate("ChecksPanel", "{count} warnings need your reason below.").format(
                    count=missing
                )
            )
            return _pill(translate("ChecksPanel", "WARNINGS"), "warn") + "&nbsp; " + needs
        if form_errors:
            return grey(
                translate(
                    "ChecksPanel", "No clinical block. 1 field of the form still to complete."
                )
                if form_errors == 1
                else translate(
                    "ChecksPanel",
                    "No clinical block. {count} fields of the form still to complete.",
                ).format(count=form_errors)
            )
        word = translate("ChecksPanel", "READY")
        ready = (
            "<span style='background:#DDF3E4;color:#1E6B3A;font-weight:600'>"
            f"&nbsp;{word}&nbsp;</span>&nbsp; "
        )
        return ready + translate("ChecksPanel", "Every check passed or has your reason.")

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
            faint = text_colour("faint")
            note = f"<br><span style='color:{faint};font-size:8pt'>{escape(row.note)}</span>"
            value.setText(
                f"<span style='white-space:nowrap'><b>{escape(row.text)}</b></span>"
                f"{note if row.note else ''}"
            )
            value.setToolTip(
                self.tr(
                    "An estimate from each stock product's osmolarity; the pharmacy confirms it."
                )
                if row.key == "osmolarity_mosm_l"
                else ""
            )

    def _show_findings(
        self, findings: Sequence[Finding], acknowledgements: Mapping[FindingKey, str]
    ) -> None:
        groups = group_findings(findings)
        in_order = [finding for members in groups.values() for finding in members]
        keys = [_shape(f) for f in in_order]
        if keys == self._finding_keys:
            # The same findings, their figures changed: the messages update in place.
            for row, finding in zip(self.rows, in_order, strict=True):
                row.show_finding(finding)
            return
        self._finding_keys = keys
        # Findings came or went: rows of findings still standing are kept (with the
        # reason being typed in them), only the others are made or removed. Building
        # every row again would restyle, relayout and repaint the panel per keystroke.
        spare_rows: dict[tuple[str, str, str, str, bool], list[FindingRow]] = {}
        for row in self.rows:
            spare_rows.setdefault(_shape(row.finding), []).append(row)
        spare_headers = self._headers
        while self.findings_layout.count():
            self.findings_layout.takeAt(0)  # the widgets stay, detached from the layout
        self.rows = []
        self.reason_edits = {}
        self._headers = {}
        for severity, members in groups.items():
            header = spare_headers.pop(severity, None) or self._severity_header(severity)
            self._headers[severity] = header
            self.findings_layout.addWidget(header)
            for finding in members:
                kept = spare_rows.get(_shape(finding))
                row = kept.pop(0) if kept else self._new_row(finding, acknowledgements)
                row.show_finding(finding)
                if row.reason is not None:
                    self.reason_edits[(finding.code, finding.field)] = row.reason
                self.findings_layout.addWidget(row)
                self.rows.append(row)
        for gone in [*spare_headers.values(), *(r for rows in spare_rows.values() for r in rows)]:
            gone.hide()
            gone.deleteLater()

    def _severity_header(self, severity: str) -> QLabel:
        header = QLabel(f"{_pill(severity_title(severity).upper(), severity)}")
        header.setTextFormat(Qt.TextFormat.RichText)
        # Wrapping keeps the panel's minimum width small: a box layout lays out
        # height-for-width at no less than its items' minimum width, so one wide
        # line would make every finding below it too short for its text.
        header.setWordWrap(True)
        header.setContentsMargins(0, 6, 0, 0)
        return header

    def _new_row(self, finding: Finding, acknowledgements: Mapping[FindingKey, str]) -> FindingRow:
        key = (finding.code, finding.field)
        row = FindingRow(finding, acknowledgements.get(key, ""))
        row.activated.connect(self.field_activated)
        if row.reason is not None:
            row.reason.textEdited.connect(
                lambda text, k=key: self.acknowledged.emit(k[0], k[1], text)
            )
        return row

    # ------------------------------------------------------------ for tests

    def findings_shown(self, severity: str | None = None) -> list[Finding]:
        return [r.finding for r in self.rows if severity in (None, r.finding.severity)]
