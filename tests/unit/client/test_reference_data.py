"""The composer checks with the formulary and rules the server publishes, fetched and
cached by version; offline it uses the saved copy, and with none its checks say unknown.
Against a real pharmacy server process."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pharmacy_domain.resources import load_json
from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core import reference_data
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import CHECKS_UNKNOWN_CODE, ComposerState, LabEntry
from portal_client.core.reference_data import ReferenceCache, refresh
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer

TODAY = dt.date.today()


def signed_in(server: LiveServer, username: str) -> ApiClient:
    client = ApiClient(server.url)
    client.login(username, DEMO_PASSWORD)
    return client


@pytest.fixture(scope="module")
def myers() -> Template:
    return next(t for t in load_template_catalog().latest() if t.id == "myers-infusion")


def composed(template: Template) -> ComposerState:
    state = ComposerState()
    state.select_template(template)
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex, state.weight_kg = "1980-02-03", "female", "61"
    day = (TODAY - dt.timedelta(days=10)).isoformat()
    state.labs = [
        LabEntry("G6PD", day, interpretation="normal"),
        LabEntry("creatinine", day, "0.9", "mg/dL", "normal"),
    ]
    return state


def with_ascorbic_osmolarity(osmolarity: float) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(load_json("formulary.json"))
    for product in document["products"]:
        if product["code"] == "ascorbic-acid-500":
            product["osmolarity_mosm_l"] = osmolarity
    return document


@pytest.fixture
def no_reference_data() -> None:
    reference_data.set_active(None)


@pytest.mark.usefixtures("no_reference_data")
def test_the_composer_follows_a_formulary_the_server_publishes(
    server: LiveServer, tmp_path: Path, myers: Template
) -> None:
    prescriber = signed_in(server, "prescriber1")
    cache = ReferenceCache.for_server(tmp_path, server.url)
    first = refresh(prescriber, cache)
    assert first.data is not None and not first.offline and not first.changed
    state = composed(myers)
    before = state.evaluate(TODAY).computed["osmolarity_mosm_l"]
    formulary_version, _ = first.data.versions

    # A change the files beside the client do not have, drafted and published by two people.
    draft = signed_in(server, "pharmacist1").draft_catalog_version(
        "formulary", "formulary", with_ascorbic_osmolarity(9000), "Relabelled stock"
    )
    signed_in(server, "admin1").publish_catalog_version("formulary", "formulary", draft.version)

    second = refresh(prescriber, cache)
    assert second.changed and second.previous == (formulary_version, 1)
    assert second.data is not None and second.data.versions == (draft.version, 1)
    after = state.evaluate(TODAY).computed["osmolarity_mosm_l"]
    assert before is not None and after is not None and after > before
    assert (cache.folder / f"formulary-v{draft.version}.json").is_file()

    # Offline: the saved copy, said to be one.
    reference_data.set_active(None)
    offline = refresh(ApiClient("http://127.0.0.1:9"), cache)
    assert offline.offline and offline.data is not None and offline.data.from_cache
    assert offline.data.versions == (draft.version, 1)
    assert state.evaluate(TODAY).computed["osmolarity_mosm_l"] == after


@pytest.mark.usefixtures("no_reference_data")
def test_with_nothing_fetched_or_saved_the_checks_say_unknown(
    tmp_path: Path, myers: Template
) -> None:
    outcome = refresh(ApiClient("http://127.0.0.1:9"), ReferenceCache(tmp_path / "none"))
    assert outcome.offline and outcome.data is None
    state = composed(myers)
    evaluation = state.evaluate(TODAY)
    assert [f.code for f in evaluation.findings] == [CHECKS_UNKNOWN_CODE]
    assert evaluation.findings[0].severity == "warn"
    assert CHECKS_UNKNOWN_CODE in {f.code for f in state.check(TODAY).warnings}


@pytest.mark.usefixtures("no_reference_data")
def test_another_servers_pair_is_never_used_offline(server: LiveServer, tmp_path: Path) -> None:
    assert refresh(signed_in(server, "prescriber1"), ReferenceCache(tmp_path / "a")).data
    elsewhere = refresh(ApiClient("http://127.0.0.1:9"), ReferenceCache(tmp_path / "b"))
    assert elsewhere.offline and elsewhere.data is None and reference_data.active() is None
