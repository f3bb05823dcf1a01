"""The password-hash slots (``security.FairSlots``): bounded, step-ups first, accounts
taking turns. Threads queue on a one-slot instance held by the test; the order in which
they are let through is the order they record."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from pharmacy_server.security import FairSlots, Urgency

TIMEOUT_S = 10.0


class Queue:
    """A one-slot ``FairSlots`` held by the test while waiters line up behind it."""

    def __init__(self) -> None:
        self.slots = FairSlots(1)
        self.served: list[str] = []
        self._threads: list[threading.Thread] = []
        self._held = self.slots.slot("holder", Urgency.SIGN_IN)
        self._held.__enter__()

    def join(self, name: str, key: str, urgency: Urgency) -> None:
        """One attempt (``name``) of ``key`` starts waiting; returns once it is queued."""
        queued = self.slots.waiting() + 1

        def attempt() -> None:
            with self.slots.slot(key, urgency):
                self.served.append(name)

        thread = threading.Thread(target=attempt, name=name)
        thread.start()
        self._threads.append(thread)
        assert self.slots.wait_for_waiting(queued, TIMEOUT_S), f"{name} never queued"

    def release_all(self) -> list[str]:
        self._held.__exit__(None, None, None)
        for thread in self._threads:
            thread.join(TIMEOUT_S)
            assert not thread.is_alive()
        return self.served


@pytest.fixture
def queue() -> Iterator[Queue]:
    yield Queue()


def test_a_step_up_goes_before_every_waiting_sign_in(queue: Queue) -> None:
    for number in range(5):
        queue.join(f"sign-in {number}", f"user:{number}", Urgency.SIGN_IN)
    queue.join("step-up", "user:prescriber", Urgency.STEP_UP)
    served = queue.release_all()
    assert served[0] == "step-up"
    assert served[1:] == [f"sign-in {number}" for number in range(5)]  # then in order


def test_one_accounts_burst_waits_behind_itself_not_in_front_of_others(queue: Queue) -> None:
    for number in range(4):
        queue.join(f"flood {number}", "user:flooder", Urgency.SIGN_IN)
    queue.join("alice", "user:alice", Urgency.SIGN_IN)
    queue.join("bob", "user:bob", Urgency.SIGN_IN)
    served = queue.release_all()
    # Round-robin by account: alice and bob each wait for one of the flood's attempts.
    assert served == ["flood 0", "alice", "bob", "flood 1", "flood 2", "flood 3"]


def test_never_more_holders_than_slots() -> None:
    slots = FairSlots(2)
    inside = 0
    most = 0
    lock = threading.Lock()
    start = threading.Barrier(12)

    def attempt(key: str) -> None:
        nonlocal inside, most
        start.wait(TIMEOUT_S)
        for _ in range(20):
            with slots.slot(key, Urgency.SIGN_IN):
                with lock:
                    inside += 1
                    most = max(most, inside)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=attempt, args=(f"user:{n % 3}",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
    assert most <= 2 and slots.waiting() == 0
    with slots.slot("a", Urgency.SIGN_IN), slots.slot("b", Urgency.STEP_UP):
        assert slots.waiting() == 0  # both slots were free again


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FairSlots(0)
