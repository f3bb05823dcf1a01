"""The PDF copy from both role windows against a real server: the file's own text, read
back with pypdf, names everything and carries the copy mark on every page."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.prescription_copy import COPY_MARK
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.pdf_copy import write_pdf_copy
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.conftest import sign_in
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer


def page_texts(path: Path) -> list[str]:
    # Extraction breaks lines where the layout wrapped them and keeps the font's ligatures
    # ("ﬂ"): compare words one space apart, in compatibility form.
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in PdfReader(path).pages
    ]


def assert_a_full_copy(path: Path, item: PrescriptionWire, names: dict[str, str]) -> None:
    pages = page_texts(path)
    assert pages
    for number, text in enumerate(pages, start=1):
        assert text.count(COPY_MARK) >= 2, f"page {number}: {text[:200]}"  # header and footer
        assert f"Page {number} of {len(pages)}" in text
    whole = " ".join(pages)
    patient = item.patient_view()
    assert patient.family_name.upper() in whole and patient.given_name in whole
    assert "Northside Compounding Pharmacy" in whole
    assert "Dr. Maya Chen" in whole and "MD-104233" in whole
    assert item.prescriber.npi is not None and item.prescriber.npi in whole
    for line in item.ingredient_views():
        name = " ".join(names.get(line.code, line.code).split())
        assert name in whole, name
    assert item.content_sha256 in whole.split()  # on one line
    assert "Infusion time" in whole and "Signed at" in whole


def shown(qtbot: QtBot, browser: PrescriptionBrowser, item: PrescriptionWire) -> None:
    qtbot.waitUntil(lambda: browser.model.row_for(str(item.id)) is not None, timeout=20_000)
    qtbot.waitUntil(lambda: bool(browser.names), timeout=20_000)  # the ingredients' names
    browser.select(str(item.id))


def test_the_pharmacist_saves_a_pdf_copy_where_asked_and_nothing_else(
    qtbot: QtBot, server: LiveServer, templates: list[Template], tmp_path: Path
) -> None:
    prescriber = sign_in(server, "prescriber1")
    created = submit_one(prescriber, templates, "Pdfcopy")
    pharmacist = sign_in(server, "pharmacist1")
    window = PharmacistWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    copy = window.pdf_copy
    assert not copy.save_button.isEnabled() and not copy.print_button.isEnabled()
    shown(qtbot, window.browser, created)
    assert copy.save_button.isEnabled() and copy.print_button.isEnabled()
    suggested: list[str] = []
    folder = tmp_path / "chosen"
    folder.mkdir()
    target = folder / "copy.pdf"

    def choose(_parent: object, name: str) -> Path:
        suggested.append(name)
        return target

    copy.choose_path = choose
    copy.save_button.click()
    qtbot.waitUntil(lambda: "Saved a copy" in window.banner.label.text(), timeout=30_000)
    assert suggested == [f"{created.reference}-copy.pdf"]  # the reference, never the patient
    assert_a_full_copy(
        target, pharmacist.get_prescription(str(created.id)), dict(window.browser.names)
    )
    assert sorted(p.name for p in folder.iterdir()) == ["copy.pdf"]  # no temp file left
    assert (target.stat().st_mode & 0o077) == 0  # private to the user, like the temp file

    # A cancelled file dialog writes nothing.
    target.unlink()
    copy.choose_path = lambda _parent, _name: None
    copy.save_button.click()
    assert list(folder.iterdir()) == []
    prescriber.logout()
    pharmacist.logout()


def test_the_prescribers_menu_saves_and_prints_the_copy(
    qtbot: QtBot, server: LiveServer, templates: list[Template], tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    created = submit_one(client, templates, "Menucopy")
    window = PrescriberWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    actions = window.menus.actions
    save, print_ = actions["save_pdf"], actions["print"]
    assert save in window.menus.prescription_menu.actions()
    assert print_ in window.menus.prescription_menu.actions()
    assert save in window.menus.file_menu.actions() and print_ in window.menus.file_menu.actions()
    assert save.text() == "Save as PDF…" and print_.text() == "Print…"
    assert print_.shortcut() == QKeySequence("Ctrl+P")
    assert not save.isEnabled() and not print_.isEnabled()
    shown(qtbot, window.browser, created)
    assert save.isEnabled() and print_.isEnabled()

    saved = tmp_path / "saved.pdf"
    window.pdf_copy.choose_path = lambda _parent, _name: saved
    save.trigger()
    qtbot.waitUntil(lambda: "Saved a copy" in window.banner.label.text(), timeout=30_000)
    names = dict(window.browser.names)
    assert_a_full_copy(saved, created, names)

    # Print: the printer the dialog configured (here Qt's PDF output, to read it back).
    printed = tmp_path / "printed.pdf"

    def printer(_parent: object) -> QPrinter:
        chosen = QPrinter(QPrinter.PrinterMode.HighResolution)
        chosen.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        chosen.setOutputFileName(str(printed))
        return chosen

    window.pdf_copy.choose_printer = printer
    print_.trigger()
    qtbot.waitUntil(lambda: "to the printer" in window.banner.label.text(), timeout=30_000)
    assert_a_full_copy(printed, created, names)
    client.logout()


def test_a_long_copy_carries_the_mark_on_every_page(tmp_path: Path) -> None:
    rows = "".join(f"<p>Line {n} of a long order</p>" for n in range(400))
    target = tmp_path / "long.pdf"
    pages = write_pdf_copy(rows, target, pharmacy_name="Northside", title="Prescription (copy)")
    texts = page_texts(target)
    assert pages == len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert text.startswith("Northside") or "Northside" in text
        assert text.count(COPY_MARK) >= 2 and f"Page {number} of {pages}" in text
    assert "Line 0 " in texts[0] and "Line 399 " in texts[-1] + " "
    metadata = PdfReader(target).metadata
    assert metadata is not None and metadata.title == "Prescription (copy)"


def test_a_failed_save_leaves_no_partial_copy(tmp_path: Path) -> None:
    folder = tmp_path / "chosen"
    occupied = folder / "copy.pdf"
    occupied.mkdir(parents=True)  # the file cannot be moved into place: the save fails last
    with pytest.raises(OSError):
        write_pdf_copy("<p>Patient</p>", occupied, pharmacy_name="Northside", title="copy")
    assert [p.name for p in folder.iterdir()] == ["copy.pdf"] and occupied.is_dir()
