"""A copy of the selected prescription, saved as PDF or printed (Qt's own PDF writer).

The HTML comes from :mod:`portal_client.core.prescription_copy`; here it is laid out page
by page on a ``QPdfWriter`` or ``QPrinter``, each page with the pharmacy's name and
:data:`COPY_MARK` in its header, the mark and page number in its footer, and the mark
across the page. The layout and the file run on a worker thread (``ops.Op``): the
document, the painter and the device are created, used and dropped there alone. The file
is written beside the chosen path under a private name and moved into place, so a failed
save leaves no partial copy of patient data behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QAction,
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from portal_client.core.prescription_copy import (
    COPY_MARK,
    UNNAMED_PHARMACY,
    copy_file_name,
    copy_html,
)
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.wire import PrescriptionWire
    from portal_client.gui.list_view import PrescriptionBrowser
    from portal_client.gui.menus import WindowMenus

#: Asks where to save (parent, suggested name) → path or None. Tests replace it.
PdfPathChooser = Callable[[QWidget, str], "Path | None"]
#: Asks which printer (parent) → a configured printer or None. Tests replace it.
PrinterChooser = Callable[[QWidget], "QPrinter | None"]

_RESOLUTION_DPI = 300
_MARGINS_MM = QMarginsF(15, 15, 15, 15)


def choose_pdf_path(parent: QWidget, suggested: str) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("PdfCopy", "Save a copy as PDF"),
        suggested,
        QCoreApplication.translate("PdfCopy", "PDF (*.pdf)"),
    )
    if not path:
        return None
    chosen = Path(path)
    return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")


def choose_printer(parent: QWidget) -> QPrinter | None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None


def server_pharmacy_name(client: ApiClient) -> Callable[[], str]:
    """The pharmacy's name as the server reports it (``/healthz``; worker thread). A server
    that does not say, or cannot be asked, leaves the copy's generic heading."""

    def ask() -> str:
        from portal_client.core.errors import PortalError

        try:
            return client.health().pharmacy_name or ""
        except PortalError:
            return ""

    return ask


def render_copy(html: str, device: QPagedPaintDevice, *, pharmacy_name: str) -> int:
    """Lay ``html`` out on ``device``'s pages with the copy mark on each; the page count."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the PDF file or printer could not be opened")
    try:
        page = device.pageLayout().paintRectPixels(device.logicalDpiX())
        width, height = float(page.width()), float(page.height())
        band_font = QFont("DejaVu Sans", 8)
        painter.setFont(band_font)
        band = painter.fontMetrics().height() * 2.0
        document = QTextDocument()
        document.documentLayout().setPaintDevice(device)
        document.setHtml(html)
        body_height = height - 2 * band
        document.setPageSize(QSizeF(width, body_height))
        pages = document.pageCount()
        for number in range(pages):
            if number:
                device.newPage()
            _draw_watermark(painter, width, height)
            _draw_bands(
                painter,
                QSizeF(width, height),
                band,
                pharmacy_name=pharmacy_name,
                number=number + 1,
                pages=pages,
            )
            painter.save()
            painter.translate(0, band - number * body_height)
            clip = QRectF(0, number * body_height, width, body_height)
            painter.setClipRect(clip)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = clip
            document.documentLayout().draw(painter, context)
            painter.restore()
        return pages
    finally:
        painter.end()


def _draw_bands(
    painter: QPainter, page: QSizeF, band: float, *, pharmacy_name: str, number: int, pages: int
) -> None:
    """The header (pharmacy, mark) and the footer (mark, page number) of one page."""
    width, height = page.width(), page.height()
    painter.save()
    painter.setPen(QColor("#52606D"))
    top = QRectF(0, 0, width, band * 0.8)
    bottom = QRectF(0, height - band * 0.8, width, band * 0.8)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    painter.drawText(top, left, pharmacy_name)
    painter.drawText(top, right, COPY_MARK)
    painter.drawText(bottom, left, COPY_MARK)
    page_text = QCoreApplication.translate("PdfCopy", "Page {0} of {1}").format(number, pages)
    painter.drawText(bottom, right, page_text)
    painter.restore()


def _draw_watermark(painter: QPainter, width: float, height: float) -> None:
    """The mark across the middle of the page, pale enough to read the order through."""
    painter.save()
    font = QFont("DejaVu Sans", 28)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(200, 40, 30, 45))
    painter.translate(width / 2, height / 2)
    painter.rotate(-35)
    span = max(width, height)
    painter.drawText(
        QRectF(-span / 2, -span / 8, span, span / 4), Qt.AlignmentFlag.AlignCenter, COPY_MARK
    )
    painter.restore()


def write_pdf_copy(html: str, path: Path, *, pharmacy_name: str, title: str) -> int:
    """Write the copy to ``path`` (worker thread): a private file beside it, moved into
    place once complete; on any failure it is removed. Returns the page count."""
    handle, temp = tempfile.mkstemp(prefix=".copy-", suffix=".pdf", dir=path.parent)
    os.close(handle)
    try:
        writer = QPdfWriter(temp)
        writer.setResolution(_RESOLUTION_DPI)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.Letter),
                QPageLayout.Orientation.Portrait,
                _MARGINS_MM,
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setTitle(title)  # the reference only: a file's properties are often shown
        writer.setCreator("Prescriber portal")
        pages = render_copy(html, writer, pharmacy_name=pharmacy_name)
        del writer
        with open(temp, "rb") as stream:
            os.fsync(stream.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return pages


class PdfCopyActions(QObject):
    """ "Save as PDF…" and "Print…" under a browser's detail pane, for its selection.

    ``pharmacy_name`` is called on the worker thread (it may ask the server).
    ``on_message(text, kind)`` reports the outcome ("info" or "error")."""

    def __init__(
        self,
        browser: PrescriptionBrowser,
        pharmacy_name: Callable[[], str],
        on_message: Callable[[str, str], object],
        *,
        choose_path: PdfPathChooser = choose_pdf_path,
        choose_printer: PrinterChooser = choose_printer,
    ) -> None:
        super().__init__(browser)
        self._browser = browser
        self._pharmacy_name = pharmacy_name
        self.on_message = on_message
        self.choose_path = choose_path
        self.choose_printer = choose_printer
        self.save_button = self._button(
            self.tr(" Save as PDF…"),
            self.tr("Save a copy of this prescription as PDF (not valid for dispensing)"),
            self.save_current,
        )
        self.print_button = self._button(
            self.tr(" Print…"),
            self.tr("Print a copy of this prescription (not valid for dispensing)"),
            self.print_current,
        )
        self.menu_entries: list[QAction] = []
        browser.current_changed.connect(self._enable)
        browser.rendered.connect(self._enable)

    def add_menu_entries(self, menus: WindowMenus) -> None:
        """Prescription › "Save as PDF…" and "Print…" (Ctrl+P), for the same selection; the
        same two actions in File, where documents are saved and printed elsewhere too."""
        self.menu_entries = [
            menus.add_prescription_entry("save_pdf", self.tr("Save as PDF…"), self.save_current),
            menus.add_prescription_entry("print", self.tr("Print…"), self.print_current),
        ]
        before = menus.window.change_password_action
        menus.file_menu.insertActions(before, self.menu_entries)
        menus.file_menu.insertSeparator(before)
        self._enable(self._browser.current())

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("Link")
        button.setToolTip(tip)
        button.setAccessibleName(text.strip())
        button.setEnabled(False)
        button.clicked.connect(lambda _checked=False: slot())
        layout = self._browser.export_actions
        after = 1 if self._browser.fhir_button is not None else 0
        after += int(getattr(self, "save_button", None) is not None)
        layout.insertWidget(after, button)
        return button

    def _enable(self, item: PrescriptionWire | None) -> None:
        controls: list[QPushButton | QAction] = [self.save_button, self.print_button]
        for control in [*controls, *self.menu_entries]:
            control.setEnabled(item is not None)

    def _html_and_name(self, item: PrescriptionWire) -> Callable[[], tuple[str, str]]:
        names = dict(self._browser.names)
        pharmacy_name = self._pharmacy_name

        def build() -> tuple[str, str]:
            pharmacy = pharmacy_name().strip()
            copy = copy_html(item, names, pharmacy_name=pharmacy)
            return copy, pharmacy or UNNAMED_PHARMACY

        return build

    def save_current(self) -> None:
        item = self._browser.current()
        if item is None:
            return
        path = self.choose_path(self._browser, copy_file_name(item))
        if path is None:
            return
        reference = item.reference or item.id
        build = self._html_and_name(item)

        def save() -> Path:
            html, pharmacy = build()
            write_pdf_copy(
                html, path, pharmacy_name=pharmacy, title=f"Prescription {reference} (copy)"
            )
            return path

        Op(self._browser, save).success(
            lambda saved: self.on_message(
                self.tr("Saved a copy of {0} to {1}.").format(reference, saved), "info"
            )
        ).failure(
            lambda error: self.on_message(
                self.tr("Could not save the PDF: {0}").format(error), "error"
            )
        ).run()

    def print_current(self) -> None:
        item = self._browser.current()
        if item is None:
            return
        printer = self.choose_printer(self._browser)
        if printer is None:
            return
        reference = item.reference or item.id
        printer.setDocName(f"Prescription {reference} (copy)")
        build = self._html_and_name(item)

        def print_copy() -> int:
            html, pharmacy = build()
            return render_copy(html, printer, pharmacy_name=pharmacy)

        Op(self._browser, print_copy).success(
            lambda _pages: self.on_message(
                self.tr("Sent a copy of {0} to the printer.").format(reference), "info"
            )
        ).failure(
            lambda error: self.on_message(self.tr("Could not print: {0}").format(error), "error")
        ).run()
