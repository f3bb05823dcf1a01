"""The prescriber's composer checks with the formulary the server publishes: when the
pharmacy publishes a newer one, the order on screen is checked again and the banner says
which versions and why. Against a real server process."""

from __future__ import annotations

import copy
from typing import Any

from pytestqt.qtbot import QtBot

from pharmacy_domain.resources import load_json
from portal_client.core import reference_data
from portal_client.core.server_checks import ServerCheck
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


def relabelled_formulary() -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(load_json("formulary.json"))
    for product in document["products"]:
        if product["code"] == "ascorbic-acid-500":
            product["osmolarity_mosm_l"] = 9000
    return document


def test_a_newer_published_formulary_re_runs_the_checks_and_says_why(
    qtbot: QtBot, server: LiveServer
) -> None:
    reference_data.set_active(None)  # as at a real start: nothing fetched yet
    client = sign_in(server, "prescriber1")
    window = PrescriberWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    # The first fetch's answer is in, and its signal delivered: the one awaited below is
    # the refresh the newer version asks for.
    qtbot.waitUntil(
        lambda: reference_data.active() is not None and not window.reference_follower.busy,
        timeout=TIMEOUT_MS,
    )
    fetched = reference_data.active()
    assert fetched is not None and not fetched.from_cache
    window.show_composer()
    qtbot.waitUntil(lambda: bool(window.composer.templates), timeout=TIMEOUT_MS)
    window.composer.select_template("myers-infusion")
    assert window.composer.state.template is not None

    draft = sign_in(server, "pharmacist1").draft_catalog_version(
        "formulary", "formulary", relabelled_formulary(), "Relabelled ascorbic acid"
    )
    sign_in(server, "admin1").publish_catalog_version("formulary", "formulary", draft.version)
    # The server's check of the order names the version it used: the client follows.
    newer = ServerCheck("", (), {}, (draft.version, fetched.rules.version))
    with qtbot.waitSignal(window.reference_follower.refreshed, timeout=TIMEOUT_MS):
        window.reference_follower.follow_server(newer)
    now = reference_data.active()
    assert now is not None and now.versions == (draft.version, fetched.rules.version)
    banner = window.composer.status_banner.label.text()
    assert "ran again" in banner and f"formulary version {draft.version}" in banner
    assert f"formulary version {fetched.formulary.version}" in banner
