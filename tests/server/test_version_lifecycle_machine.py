"""A Hypothesis state machine over one prescription's life through the real HTTP API, with
questions in words, field proposals, acceptances signed as new versions and every
lifecycle step, on SQLite and PostgreSQL.

Invariants after every step: no order past review (approved and on) without its
prescriber's signature over its latest version; nothing moves out of a final status; the
history holds every step taken, each starting where the one before ended, on the version
it was taken on.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.field_proposals import apply_proposal, ingredient_path
from pharmacy_domain.status import ACTIONS, FINAL_STATUSES, PrescriptionStatus
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import Headers, new_prescription_body, ready_details, submit

pytestmark = pytest.mark.slow

PRESCRIPTIONS = "/api/v1/prescriptions"
MAGNESIUM = ingredient_path("magnesium-chloride-20")
#: Proposals to draw from: doses inside the usual range, one past the hard limit (the
#: re-run checks block it), a longer time, the other route.
PROPOSALS = [
    (MAGNESIUM, 3.0),
    (MAGNESIUM, 4.0),
    (MAGNESIUM, 8.0),
    ("infusion_minutes", 60),
    ("access", "central"),
]
PAST_REVIEW = frozenset(
    {
        PrescriptionStatus.APPROVED,
        PrescriptionStatus.COMPOUNDING,
        PrescriptionStatus.READY,
        PrescriptionStatus.SHIPPED,
    }
)
PHARMACIST_STEPS = ["reject", "start_compounding", "mark_ready", "ship"]


class PrescriptionLife(RuleBasedStateMachine):
    client: TestClient
    prescriber: Headers
    pharmacist: Headers

    def __init__(self) -> None:
        super().__init__()
        status, created = submit(self.client, self.prescriber, new_prescription_body())
        assert status == 201, created
        self.rx = created["id"]
        self.status = PrescriptionStatus.SUBMITTED
        self.version = 1
        self.steps = 1
        self.open_proposal: dict[str, Any] | None = None
        self.accepted: list[str] = []
        self.ever_final = False

    # ------------------------------------------------------------------ helpers

    def _allowed(self, action: str) -> bool:
        return ACTIONS[action].allowed_from(self.status)

    def _moved(self, action: str) -> None:
        self.status = ACTIONS[action].target
        self.steps += 1
        if action in ("answer_clarification", "reject", "cancel"):
            self.open_proposal = None

    def _act(self, headers: Headers, action: str, note: str | None) -> None:
        body: dict[str, Any] = {"action": action, "note": note}
        if action == "mark_ready":
            body |= ready_details()
        answer = self.client.post(f"{PRESCRIPTIONS}/{self.rx}/actions", headers=headers, json=body)
        if self._allowed(action):
            assert answer.status_code == 200, (action, self.status, answer.text)
            self._moved(action)
        else:
            assert answer.status_code == 409, (action, self.status, answer.text)

    # ------------------------------------------------------------------ rules

    # Preconditions steer the draws towards proposals and acceptances; the steps a status
    # refuses are still drawn (every pharmacist step, a proposal on a moved-on order).
    @precondition(lambda self: self.status not in FINAL_STATUSES)
    @rule(choice=st.sampled_from(PROPOSALS))
    def propose(self, choice: tuple[str, Any]) -> None:
        field, value = choice
        answer = self.client.post(
            f"{PRESCRIPTIONS}/{self.rx}/proposals",
            headers=self.pharmacist,
            json={"field": field, "value": value, "message": "Would this do?"},
        )
        if not self._allowed("request_clarification"):
            assert answer.status_code == 409, answer.text
            return
        if answer.status_code == 422:  # the order already holds that value
            assert "already" in answer.json()["errors"][0]["reason"], answer.text
            return
        assert answer.status_code == 200, answer.text
        self._moved("request_clarification")
        seen = self._versions()
        self.open_proposal = next(p for p in seen["proposals"] if p["state"] == "open")

    @rule()
    def ask_in_words(self) -> None:
        self._act(self.pharmacist, "request_clarification", "Is the weight current?")

    @rule()
    def answer_in_words(self) -> None:
        self._act(self.prescriber, "answer_clarification", "Yes.")

    @precondition(lambda self: self.open_proposal is not None)
    @rule()
    def accept(self) -> None:
        proposal = self.open_proposal
        assert proposal is not None
        content = self._versions()["versions"][-1]["content"]
        body = apply_proposal(content, proposal["field"], proposal["value"])
        token = self.client.post(
            "/api/v1/auth/step-up",
            headers=self.prescriber,
            json={"password": DEMO_PASSWORD, "content_sha256": signing_sha256(body)},
        ).json()["signing_token"]
        answer = self.client.post(
            f"{PRESCRIPTIONS}/{self.rx}/proposals/{proposal['id']}/accept",
            headers=self.prescriber,
            json={"signing_token": token},
        )
        if answer.status_code == 422:  # the server's checks refuse the changed order
            assert answer.json()["code"].startswith("clinical."), answer.text
            return
        assert answer.status_code == 200, answer.text
        self._moved("answer_clarification")
        self.version += 1
        self.accepted.append(proposal["id"])
        assert answer.json()["version"] == self.version

    @precondition(lambda self: self.status is PrescriptionStatus.SUBMITTED)
    @rule(choice=st.sampled_from(PROPOSALS))
    def propose_then_accept(self, choice: tuple[str, Any]) -> None:
        """The whole exchange as one draw, so most runs make a version 2 and go on."""
        self.propose(choice)
        if self.open_proposal is not None:
            self.accept()

    @initialize(choice=st.none() | st.sampled_from(PROPOSALS))
    def maybe_start_with_a_version_2(self, choice: tuple[str, Any] | None) -> None:
        """Most runs begin with a proposal accepted (or refused by the checks), so the
        steps after a new version are explored as much as those before one."""
        if choice is not None:
            self.propose_then_accept(choice)

    @precondition(lambda self: bool(self.accepted))
    @rule()
    def accept_again(self) -> None:
        """A retry of an accepted acceptance replays: never a further version."""
        answer = self.client.post(
            f"{PRESCRIPTIONS}/{self.rx}/proposals/{self.accepted[-1]}/accept",
            headers=self.prescriber,
            json={"signing_token": "a-spent-or-unknown-token"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == self.version

    @rule(action=st.sampled_from(PHARMACIST_STEPS))
    def pharmacist_step(self, action: str) -> None:
        self._act(self.pharmacist, action, "Reason." if action == "reject" else None)

    @rule()
    def approve(self) -> None:
        """Its own rule, so approvals after a new version are drawn often."""
        self._act(self.pharmacist, "approve", None)

    # Late, so most runs get as far as a proposal or two before the prescriber cancels.
    @precondition(lambda self: self.steps >= 5)
    @rule()
    def cancel(self) -> None:
        self._act(self.prescriber, "cancel", "No longer needed.")

    # ------------------------------------------------------------------ invariants

    def _versions(self) -> dict[str, Any]:
        answer = self.client.get(f"{PRESCRIPTIONS}/{self.rx}/versions", headers=self.pharmacist)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    @invariant()
    def the_server_agrees_and_the_history_holds_every_step(self) -> None:
        seen = self.client.get(f"{PRESCRIPTIONS}/{self.rx}", headers=self.pharmacist).json()
        status = PrescriptionStatus(seen["status"])
        assert status is self.status
        assert seen["version"] == self.version
        history = seen["history"]
        assert len(history) == self.steps
        assert history[0]["from_status"] is None
        for before, after in itertools.pairwise(history):
            assert after["from_status"] == before["status"]
            assert after["version"] >= before["version"]
        assert history[-1]["status"] == status.value
        assert history[-1]["version"] == self.version
        if status in PAST_REVIEW:
            signature = seen["signature"]
            assert signature is not None
            if self.version > 1:
                assert signature["body_sha256"] == seen["content_sha256"]

    @invariant()
    def nothing_leaves_a_final_status(self) -> None:
        if self.ever_final:
            assert self.status in FINAL_STATUSES
        self.ever_final = self.ever_final or self.status in FINAL_STATUSES

    @invariant()
    def every_version_is_listed_and_signed(self) -> None:
        if self.version == 1:
            return
        versions = self._versions()["versions"]
        assert [v["number"] for v in versions] == list(range(1, self.version + 1))
        assert all(v["signed_at"] is not None for v in versions)


def test_the_lifecycle_with_versions_keeps_its_invariants(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    PrescriptionLife.client = client
    PrescriptionLife.prescriber = as_user("prescriber1")
    PrescriptionLife.pharmacist = as_user("pharmacist1")
    run_state_machine_as_test(
        PrescriptionLife,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
