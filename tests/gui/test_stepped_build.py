"""Windows built in steps the event loop interleaves (``portal_client.gui.stepped_build``):
other events run between the steps, the window is whole when ``ready`` says so, and it
is then the same window, focus and Tab order included, as one built in one go."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.gui.composer import ComposerPage
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.staff_window import StaffWindow
from portal_client.gui.stepped_build import BuildSteps, SteppedBuild

PRESCRIBER = SignedInUser("u-pr", "prescriber1", "prescriber", "Dr. Maya Chen")
PHARMACIST = SignedInUser("u-ph", "pharmacist1", "pharmacist", "Priya Shah, PharmD")
STAFF = SignedInUser("u-st", "staff1", "clinic_staff", "Jordan Lee, RN")
#: Widgets one step may make: about a card's worth (the whole window is some 450).
WIDGETS_PER_STEP = 80
#: How far along the Tab chain the comparison walks (the top bar, the list header, lists).
TAB_STOPS = 40


def no_store(_client: object, _user: object) -> Any:
    raise OSError("no local store in this test")


def test_other_events_run_between_the_steps(qtbot: QtBot) -> None:
    """Between two steps, a timer that is due (the next frame, a key's repeat) fires."""
    holder = QWidget()
    qtbot.addWidget(holder)
    ticks: list[int] = [0]
    other = QTimer(holder)
    other.setInterval(0)
    other.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    seen: list[int] = []

    def steps() -> BuildSteps:
        for _number in range(6):
            seen.append(ticks[0])
            yield

    build = SteppedBuild(steps(), holder)
    other.start()
    build.start()
    assert seen == [] and not build.done  # nothing runs inside start()
    with qtbot.waitSignal(build.finished, timeout=5_000):
        pass
    other.stop()
    assert all(later > earlier for earlier, later in pairwise(seen)), seen
    assert build.done and build.steps_run == 6


def test_finish_now_runs_what_is_left_and_says_so_once(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    ran: list[int] = []
    finished: list[bool] = []

    def steps() -> BuildSteps:
        for number in range(4):
            ran.append(number)
            yield

    build = SteppedBuild(steps(), holder)
    build.finished.connect(lambda: finished.append(True))
    assert build.step() and ran == [0]
    build.finish_now()
    assert ran == [0, 1, 2, 3] and finished == [True] and build.done
    assert not build.step() and finished == [True]


def _tab_chain(window: PortalMainWindow) -> list[str]:
    """The Tab stops (type and accessible name or text) along the focus chain from the
    account button."""
    names: list[str] = []
    widget: QWidget | None = window.account_button
    while widget is not None and len(names) < TAB_STOPS:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            label = widget.accessibleName() or getattr(widget, "text", str)()
            names.append(f"{type(widget).__name__}:{label}")
        widget = widget.nextInFocusChain()
    return names


def _shown(qtbot: QtBot, window: PortalMainWindow) -> None:
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()


def test_a_stepped_prescriber_window_is_whole_only_when_ready(
    qtbot: QtBot, closed_port_url: str
) -> None:
    client = ApiClient(closed_port_url)
    stepped = PrescriberWindow(client, PRESCRIBER, store_opener=no_store, stepped=True)
    assert not stepped.is_ready  # built on later event-loop turns
    assert not hasattr(stepped, "composer") and not hasattr(stepped, "browser")
    with qtbot.waitSignal(stepped.ready, timeout=20_000):
        pass
    assert stepped.is_ready and stepped.composer.built
    assert stepped.build is not None and stepped.build.steps_run > 10

    whole = PrescriberWindow(ApiClient(closed_port_url), PRESCRIBER, store_opener=no_store)
    assert whole.is_ready  # no stepping asked: whole on return, as ever
    for window in (stepped, whole):
        _shown(qtbot, window)
        qtbot.waitUntil(lambda window=window: window.focusWidget() is window.new_button)
    assert _tab_chain(stepped) == _tab_chain(whole)
    assert stepped.pages.currentIndex() == 0 and stepped.pages.count() == whole.pages.count()
    assert len(stepped.findChildren(QWidget)) == len(whole.findChildren(QWidget))


def _desk_window(kind: str, url: str, *, stepped: bool) -> PortalMainWindow:
    client = ApiClient(url)
    if kind == "pharmacist":
        return PharmacistWindow(client, PHARMACIST, stepped=stepped)
    return StaffWindow(client, STAFF, store_opener=no_store, stepped=stepped)


@pytest.mark.parametrize("kind", ["pharmacist", "staff"])
def test_the_other_role_windows_are_stepped_and_the_same_when_ready(
    qtbot: QtBot, closed_port_url: str, kind: str
) -> None:
    """The review desk and the clinic staff's window, as the sign-in builds them: over
    several turns, none making more than a card's widgets, and then the same window."""
    stepped = _desk_window(kind, closed_port_url, stepped=True)
    qtbot.addWidget(stepped)
    assert not stepped.is_ready and stepped.build is not None
    counts = [len(stepped.findChildren(QWidget))]
    while stepped.build.step():
        counts.append(len(stepped.findChildren(QWidget)))
    made = [after - before for before, after in pairwise(counts)]
    assert stepped.is_ready and stepped.build.steps_run > 4
    assert max(made) <= WIDGETS_PER_STEP, made

    whole = _desk_window(kind, closed_port_url, stepped=False)
    assert whole.is_ready
    for window in (stepped, whole):
        _shown(qtbot, window)
    assert _tab_chain(stepped) == _tab_chain(whole)
    assert len(_tab_chain(whole)) > 8  # the chain was walked, not empty on both
    assert len(stepped.findChildren(QWidget)) == len(whole.findChildren(QWidget))


def test_no_build_step_makes_more_than_a_card_of_widgets(
    qtbot: QtBot, closed_port_url: str
) -> None:
    window = PrescriberWindow(
        ApiClient(closed_port_url), PRESCRIBER, store_opener=no_store, stepped=True
    )
    qtbot.addWidget(window)
    assert window.build is not None
    counts = [len(window.findChildren(QWidget))]
    while window.build.step():  # driven here, one at a time, before the event loop can
        counts.append(len(window.findChildren(QWidget)))
    made = [after - before for before, after in pairwise(counts)]
    assert max(made) <= WIDGETS_PER_STEP, made
    assert counts[-1] > 4 * WIDGETS_PER_STEP  # so the budget is a real split


def test_a_template_s_rows_are_refilled_not_remade(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    """The next template reuses the rows there are: each shows its own ingredient, its
    amount, no leftover note or outline, and its edits reach the right ingredient."""
    page = ComposerPage(ApiClient(closed_port_url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1366, 900)
    page.show()
    page.load_templates(templates)
    by_id = {t.id: t for t in templates}
    page.select_template("myers-infusion")
    first_editor = page.ingredient_table.cellWidget(0, 1)
    editor, _check = next(iter(page._ingredient_slots.values()))
    editor.clear()
    qtbot.keyClicks(editor, "99999")  # out of range: a note and an outline on the row
    page.select_template("trace-elements")  # fewer rows: the first ones refilled
    assert page.ingredient_table.cellWidget(0, 1) is first_editor
    for big_then_small in ("tpn-adult-central", "myers-push", "vitamin-c-high-dose"):
        page.select_template(big_then_small)
        template = by_id[big_then_small]
        table = page.ingredient_table
        shown = [row for row in range(table.rowCount()) if not table.isRowHidden(row)]
        assert shown == list(range(len(template.ingredients)))  # the rest kept, hidden
        assert list(page._ingredient_slots) == [i.code for i in template.ingredients]
        for ingredient in template.ingredients:
            amount, check = page._ingredient_slots[ingredient.code]
            assert amount.text() == page.state.amounts.get(ingredient.code, "")
            assert amount.accessibleName() == f"{ingredient.name} dose"
            assert not amount.property("invalid") and check.text() == ""
    for number, (code, (amount, _check)) in enumerate(page._ingredient_slots.items()):
        typed = f"7.{number + 1}"  # each a reused row: its edit goes to its ingredient
        amount.clear()
        qtbot.keyClicks(amount, typed)
        assert [c for c, value in page.state.amounts.items() if value == typed] == [code]
