"""The administration card asks for the lipid's infusion time where the lipid runs
separately, and what the prescriber types there is what the order holds and checks."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.gui.composer import ComposerPage


def test_lipid_time_is_asked_only_where_the_lipid_runs_separately(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = ComposerPage(ApiClient(closed_port_url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1366, 900)
    page.show()
    page.load_templates(templates)
    lipid = page.administration.lipid_hours
    page.select_template("hpn-cycled")
    assert lipid.isEnabled() and lipid.text() == "12"
    assert lipid.placeholderText() == "4–24"
    lipid.clear()
    qtbot.keyClicks(lipid, "6")
    assert page.state.lipid_infusion_hours == "6"
    assert page.state.to_body()["lipid_infusion_hours"] == 6.0
    page.select_template("myers-infusion")
    assert not lipid.isEnabled() and lipid.text() == ""
    assert "lipid_infusion_hours" not in page.state.to_body()
